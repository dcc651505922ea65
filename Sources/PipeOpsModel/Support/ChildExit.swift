import Foundation

extension Process {
    /// Waits until the child has exited, or until `deadline`; false when the deadline came first
    /// (the child still runs). Looks again after a sixteenth of the time it has waited so far
    /// (at least 0.1 ms, at most 20 ms): an exit is seen within about 6% of the child's run
    /// time, and a long child costs at most 50 looks a second.
    ///
    /// Instead of `waitUntilExit()`, which swift-corelibs-foundation implements by running the
    /// run loop in 50 ms slices: measured here, it returned ~42 ms after a `/bin/true` had
    /// exited, on every `pipeops run` (its sandbox probe). `isRunning` is updated by Foundation's
    /// own child monitor, not by the run loop, so it can be polled from any thread.
    package func waitForExit(until deadline: Date? = nil) -> Bool {
        let start = DispatchTime.now().uptimeNanoseconds
        while isRunning {
            if let deadline, Date() >= deadline { return false }
            let waited = (DispatchTime.now().uptimeNanoseconds - start) / 1000
            usleep(useconds_t(min(max(waited / 16, 100), 20_000)))
        }
        // Returns at once now; it is what makes terminationStatus and terminationReason final.
        waitUntilExit()
        return true
    }
}
