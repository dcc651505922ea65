import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsModel

/// `start --wait` as a library type: polled states are scripted, time is a fake clock.
@Suite struct ExecutionWatcherTests {
    final class FakeClock: ExecutionWatcher.Clock, @unchecked Sendable {
        var waits: [Double] = []
        func wait(_ seconds: Double, unless stop: () -> Bool) { waits.append(seconds) }
    }

    final class Script: @unchecked Sendable {
        var states: [PipelineExecutionState]
        var withSteps: [Bool] = []
        init(_ states: [PipelineExecutionState]) { self.states = states }
        func next(_ steps: Bool) -> PipelineExecutionState {
            withSteps.append(steps)
            return states.count > 1 ? states.removeFirst() : states[0]
        }
    }

    static func state(_ status: String, _ steps: [(String, String, String?)] = [], unavailable: String? = nil) -> PipelineExecutionState {
        PipelineExecutionState(
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

    @Test func anOutageOfMinutesIsWaitedOutWithBackoff() throws {
        // Six failed polls (connection reset, a 503, an answer that does not parse), then the end.
        let failures: [SageMakerClient.CallError] = [
            .tool(.message("cannot reach api.sagemaker: connection reset")),
            .service(AWSServiceError(code: "ServiceUnavailable", message: "try later", status: 503)),
            .tool(.message("SageMaker DescribePipelineExecution answered with something that is not JSON")),
            .tool(.message("reset")), .tool(.message("reset")), .tool(.message("reset")),
        ]
        var polls = 0
        let clock = FakeClock()
        let watcher = ExecutionWatcher(interval: 10, clock: clock) { _ throws(SageMakerClient.CallError) in
            polls += 1
            if polls <= failures.count { throw failures[polls - 1] }
            return Self.state("Succeeded")
        }
        var notes: [Double] = []
        let outcome = try watcher.watch(isInterrupted: { false }) { event in
            if case .unreachable(_, let delay, _) = event { notes.append(delay) }
        }
        guard case .finished(let final) = outcome else {
            Issue.record("expected a finished execution")
            return
        }
        #expect(final.status == "Succeeded")
        #expect(notes == [10, 20, 40, 60, 60, 60], "doubling from the poll interval, capped at a minute")
        #expect(clock.waits.reduce(0, +) == 250, "over four minutes of outage survived")
    }

    @Test func anOutageLongerThanTheLimitEndsTheWaitWithOneClearError() throws {
        let clock = FakeClock()
        var watcher = ExecutionWatcher(interval: 10, clock: clock) { _ throws(SageMakerClient.CallError) in
            throw .tool(.message("no answer from sagemaker in 60 s"))
        }
        watcher.outageLimit = 120
        #expect {
            _ = try watcher.watch(isInterrupted: { false }) { _ in }
        } throws: { error in
            (error as? SageMakerClient.CallError)?.description.contains("stopped waiting, the execution keeps running") == true
        }
        #expect(clock.waits == [10, 20, 40], "waits stop before the limit would be passed")
    }

    @Test func aRefusalIsNotAnOutage() throws {
        let clock = FakeClock()
        let watcher = ExecutionWatcher(interval: 10, clock: clock) { _ throws(SageMakerClient.CallError) in
            throw .service(AWSServiceError(code: "AccessDeniedException", message: "no", status: 400))
        }
        #expect(throws: SageMakerClient.CallError.self) { _ = try watcher.watch(isInterrupted: { false }) { _ in } }
        #expect(clock.waits.isEmpty)
    }
}
