import Foundation
import Testing

@testable import PipeOpsKit

/// `start --wait` as a library type: polled states are scripted, time is a fake clock.
@Suite struct ExecutionWatcherTests {
    final class FakeClock: ExecutionWatcher.Clock, @unchecked Sendable {
        var waits: [Double] = []
        func wait(_ seconds: Double, unless stop: () -> Bool) { waits.append(seconds) }
    }

    final class Script: @unchecked Sendable {
        var states: [Deployer.ExecutionState]
        var withSteps: [Bool] = []
        init(_ states: [Deployer.ExecutionState]) { self.states = states }
        func next(_ steps: Bool) -> Deployer.ExecutionState {
            withSteps.append(steps)
            return states.count > 1 ? states.removeFirst() : states[0]
        }
    }

    static func state(_ status: String, _ steps: [(String, String, String?)] = [], unavailable: String? = nil) -> Deployer.ExecutionState {
        Deployer.ExecutionState(
            status: status, failureReason: nil, steps: steps.map { (name: $0.0, status: $0.1, failureReason: $0.2) },
            stepsUnavailable: unavailable)
    }

    @Test func reportsEachStepChangeOnceAndEndsWithTheTerminalState() throws {
        let script = Script([
            Self.state("Executing", [("Prep", "Executing", nil)]),
            Self.state("Executing", [("Prep", "Executing", nil)]),
            Self.state("Executing", [("Prep", "Succeeded", nil), ("Train", "Executing", nil)]),
            Self.state("Failed", [("Prep", "Succeeded", nil), ("Train", "Failed", "OOM")]),
        ])
        let clock = FakeClock()
        let watcher = ExecutionWatcher(interval: 7, clock: clock) { steps in script.next(steps) }
        var events: [String] = []
        let outcome = try watcher.watch(isInterrupted: { false }) { event in
            if case .step(let name, let status, let reason) = event { events.append("\(name)=\(status)\(reason.map { ":\($0)" } ?? "")") }
        }
        guard case .finished(let final) = outcome else {
            Issue.record("expected a finished execution")
            return
        }
        #expect(final.status == "Failed")
        #expect(events == ["Prep=Executing", "Prep=Succeeded", "Train=Executing", "Train=Failed:OOM"])
        #expect(clock.waits == [7, 7, 7], "one wait between each of the four polls")
    }

    @Test func stopsListingStepsWhenTheServiceCannotAndStopsOnInterrupt() throws {
        let script = Script([Self.state("Executing", unavailable: "UnknownOperationException")])
        let clock = FakeClock()
        var notes = 0
        var polls = 0
        let outcome = try ExecutionWatcher(interval: 1, clock: clock) { steps in
            polls += 1
            return script.next(steps)
        }
        .watch(isInterrupted: { polls >= 3 }) { event in if case .stepsUnavailable = event { notes += 1 } }
        guard case .interrupted = outcome else {
            Issue.record("expected an interrupted wait")
            return
        }
        #expect(notes == 1)
        #expect(script.withSteps == [true, false, false])
    }
}
