import Foundation

/// Follows a SageMaker pipeline execution until it ends: `pipeops start --wait`.
///
/// It polls DescribePipelineExecution (and ListPipelineExecutionSteps while the service offers
/// it), reports each step whose status changed, and stops early when `isInterrupted` turns
/// true. Time passes through `Clock`, so tests run it without waiting.
public struct ExecutionWatcher {
    /// Time as the watcher sees it: the real clock, or a test's.
    public protocol Clock {
        /// Waits `seconds` or until `stop()` is true, whichever comes first.
        func wait(_ seconds: Double, unless stop: () -> Bool)
    }

    public struct SystemClock: Clock {
        public init() {}
        public func wait(_ seconds: Double, unless stop: () -> Bool) {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && !stop() { Thread.sleep(forTimeInterval: min(0.1, max(0, deadline.timeIntervalSinceNow))) }
        }
    }

    public enum Event {
        case step(name: String, status: String, failureReason: String?)
        /// Step details cannot be listed here (moto does not implement the call).
        case stepsUnavailable(String)
    }

    public enum Outcome {
        case finished(Deployer.ExecutionState)
        case interrupted
    }

    let describe: (_ withSteps: Bool) throws(SageMakerClient.CallError) -> Deployer.ExecutionState
    let interval: Double
    let clock: any Clock

    public init(
        interval: Double, clock: any Clock = SystemClock(),
        describe: @escaping (_ withSteps: Bool) throws(SageMakerClient.CallError) -> Deployer.ExecutionState
    ) {
        self.interval = interval
        self.clock = clock
        self.describe = describe
    }

    /// Watches `arn` on `client`.
    public init(arn: String, client: SageMakerClient, interval: Double, clock: any Clock = SystemClock()) {
        self.init(interval: interval, clock: clock) { withSteps throws(SageMakerClient.CallError) in
            try Deployer.describe(arn, client: client, withSteps: withSteps)
        }
    }

    public func watch(isInterrupted: () -> Bool, onEvent: (Event) -> Void) throws(SageMakerClient.CallError) -> Outcome {
        var seen: [String: String] = [:]
        var listSteps = true
        while true {
            let state = try describe(listSteps)
            if let reason = state.stepsUnavailable, listSteps {
                listSteps = false
                onEvent(.stepsUnavailable(reason))
            }
            for step in state.steps where seen[step.name] != step.status {
                seen[step.name] = step.status
                onEvent(.step(name: step.name, status: step.status, failureReason: step.failureReason))
            }
            if state.isTerminal { return .finished(state) }
            clock.wait(interval, unless: isInterrupted)
            if isInterrupted() { return .interrupted }
        }
    }
}
