import Foundation

extension Process {
    /// Waits until the child has exited, or until `deadline`; false when the deadline came first
    /// (the child still runs). Looks often at first and less often later (¼ ms doubling to
    /// 20 ms), so a short child is seen to end within about its own run time again.
    ///
    /// Instead of `waitUntilExit()`, which swift-corelibs-foundation implements by running the
    /// run loop in 50 ms slices: measured here, it returned ~42 ms after a `/bin/true` had
    /// exited, on every `pipeops run` (its sandbox probe). `isRunning` is updated by Foundation's
    /// own child monitor, not by the run loop, so it can be polled from any thread.
    package func waitForExit(until deadline: Date? = nil) -> Bool {
        var pause: useconds_t = 250
        while isRunning {
            if let deadline, Date() >= deadline { return false }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        // Returns at once now; it is what makes terminationStatus and terminationReason final.
        waitUntilExit()
        return true
    }
}
