import Foundation
import PipeOpsModel

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
        /// A poll failed (network, 5xx, throttling, an answer that does not parse); the next one
        /// comes after `retryIn` seconds. `outage` is how long polls have been failing.
        case unreachable(String, retryIn: Double, outage: Double)
    }

    public enum Outcome {
        case finished(PipelineExecutionState)
        case interrupted
    }

    let describe: (_ withSteps: Bool) throws(SageMakerClient.CallError) -> PipelineExecutionState
    let interval: Double
    let clock: any Clock
    /// How long polls may fail in a row before the wait gives up (the execution keeps running).
    public var outageLimit: Double = 900

    public init(
        interval: Double, clock: any Clock = SystemClock(),
        describe: @escaping (_ withSteps: Bool) throws(SageMakerClient.CallError) -> PipelineExecutionState
    ) {
        self.interval = interval
        self.clock = clock
        self.describe = describe
    }

    /// Failures a later poll may not see: the network, the service's 5xx and throttling, and
    /// answers that do not parse. A refusal (access denied, no such execution) is final.
    static func isTransient(_ error: SageMakerClient.CallError) -> Bool {
        switch error {
        case .tool: return true
        case .service(let service): return service.isThrottling || service.status >= 500 || service.status == 0
        }
    }

    /// Watches `arn` on `client`.
    public init(arn: String, client: SageMakerClient, interval: Double, clock: any Clock = SystemClock()) {
        self.init(interval: interval, clock: clock) { withSteps throws(SageMakerClient.CallError) in
            try client.describeExecution(arn, withSteps: withSteps)
        }
    }

    public func watch(isInterrupted: () -> Bool, onEvent: (Event) -> Void) throws(SageMakerClient.CallError) -> Outcome {
        var seen: [String: String] = [:]
        var listSteps = true
        var outage = 0.0
        var failures = 0
        while true {
            let state: PipelineExecutionState
            do {
                state = try describe(listSteps)
                outage = 0
                failures = 0
            } catch  where Self.isTransient(error) {
                failures += 1
                let delay = min(60, max(interval, 1) * pow(2, Double(min(failures - 1, 6))))
                guard outage + delay <= outageLimit else {
                    throw .tool(
                        .message(
                            "no answer from SageMaker for \(Int(outage)) s while waiting (\(failures) polls failed; last: \(error.description)); stopped waiting, the execution keeps running and no evidence was recorded"
                        ))
                }
                onEvent(.unreachable(error.description, retryIn: delay, outage: outage))
                clock.wait(delay, unless: isInterrupted)
                outage += delay
                if isInterrupted() { return .interrupted }
                continue
            }
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
