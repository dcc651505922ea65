import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Takes one step from "ready" to a result: expressions resolved, the cache consulted, the
/// step's runner called per attempt under its retry policy, a successful result cached.
/// Condition and Fail steps are evaluated here (they run no process).
struct StepExecutor: Sendable {
    struct Result {
        var outcome: Swift.Result<Node, StepFailure>
        var attempts: Int
        var cacheHit: StepRecord.CacheHit?
        var logs: (stdout: String, stderr: String)?
        var inputKey: String?
        var inputs: Node?
        /// `run --changed`: the execution whose result this unchanged step took.
        var reusedFrom: String?
    }

    let options: LocalEngine.Options
    let executionId: String
    /// `.pipeops/executions/<id>`: each step's logs and sandbox go below it.
    let executionFolder: String
    /// The run's S3 endpoint and key for steps that call S3 themselves (empty without one).
    var s3Environment: [String: String] = [:]
    /// `run --changed`: a step upstream of this one ran again, so this one runs too.
    var upstreamRan = false
    let cache: StepCache
    let emit: @Sendable (EngineEvent) -> Void
    /// Waits up to the given seconds; false when the execution was interrupted meanwhile.
    let sleep: @Sendable (Double) -> Bool

    /// Runs `step` under `name` (its own name, or `<BodyStep>-<i>` for a ForEach child).
    func run(_ step: Step, as name: String, context: RuntimeContext) -> Result {
        // Condition and Fail steps are evaluated by the engine itself, not by a runner.
        if step.type == .condition {
            do {
                let outcome = try Evaluator.conditions(step.arguments?["Conditions"]?.elements ?? [], context)
                return Result(outcome: .success(Node(.object([member("Outcome", .bool(outcome))]))), attempts: 1)
            } catch {
                return Result(outcome: .failure(StepFailure(message: error.message, exceptionType: nil)), attempts: 1)
            }
        }
        if step.type == .fail {
            let message: String
            do { message = Evaluator.text(try Evaluator.resolve(step.arguments?["ErrorMessage"] ?? Node(.string("")), context)) } catch {
                message = "the ErrorMessage could not be evaluated: \(error.message)"
            }
            return Result(outcome: .failure(StepFailure(message: message, exceptionType: nil)), attempts: 1)
        }

        let arguments: Node
        do { arguments = try Evaluator.resolve(step.arguments ?? Node(.object([])), context) } catch {
            return Result(outcome: .failure(StepFailure(message: error.message, exceptionType: nil)), attempts: 1)
        }
        // The service's cache key attributes, after expression resolution.
        let cacheConfig = step.node["CacheConfig"]
        let cacheAttributes =
            (options.useCache && cacheConfig?["Enabled"]?.bool == true && step.type?.supportsCaching == true)
            ? StepCache.attributes(step: step, arguments: arguments, standIn: options.standIns[step.name]) : nil
        let cacheKey = cacheAttributes.map(StepCache.key(attributes:))
        let inputs = StepCache.attributes(step: step, arguments: arguments, standIn: options.standIns[step.name])
        let inputKey = StepCache.key(attributes: inputs)
        if let reference = options.unchangedFrom, step.forEachParent == nil {
            let before = reference.steps.first { $0.name == name }
            if !upstreamRan, let before, before.status == .succeeded, before.inputKey == inputKey, let properties = before.properties {
                emit(.note("\(name): unchanged since execution \(reference.id) (the same inputs): its result is reused"))
                return Result(outcome: .success(properties), attempts: 0, inputKey: inputKey, inputs: inputs, reusedFrom: reference.id)
            }
            let why = upstreamRan ? "a step it depends on ran again" : Self.changeReason(before, inputs: inputs, reference: reference.id)
            emit(.note("\(name): runs: \(why)"))
        }
        if let cacheKey, let hit = cache.lookup(cacheKey, expireAfter: cacheConfig?["ExpireAfter"]?.string) {
            emit(.note("\(name): cache hit from execution \(hit.execution)"))
            return Result(
                outcome: .success(hit.properties), attempts: 0,
                cacheHit: StepRecord.CacheHit(sourceExecution: hit.execution, completedAt: hit.completedAt), inputKey: inputKey,
                inputs: inputs)
        }

        let runner = StepRunners.runner(for: step, hasStandIn: options.standIns[step.name] != nil)
        let policy = RetryPolicy(step: step)
        let stepFolder = executionFolder + "/steps/" + LocalEngine.safeName(name)
        var attempt = 0
        let firstStart = Date()
        while true {
            attempt += 1
            emit(.stepStarted(name: name, attempt: attempt))
            let attemptFolder = attempt == 1 ? stepFolder : stepFolder + "/attempt-\(attempt)"
            let logs = (stdout: attemptFolder + "/stdout.log", stderr: attemptFolder + "/stderr.log")
            let outcome = attemptOnce(step, runner: runner, arguments: arguments, context: context, folder: attemptFolder)
            if case .failure(let failure) = outcome,
                let delay = policy.delay(after: failure, attempt: attempt, elapsed: Date().timeIntervalSince(firstStart))
            {
                emit(.stepRetrying(name: name, attempt: attempt + 1, delay: delay, reason: failure.message))
                if sleep(delay) { continue }
            }
            if case .success(let properties) = outcome, let cacheKey {
                cache.store(cacheKey, properties: properties, execution: executionId, step: name, attributes: cacheAttributes)
            }
            return Result(outcome: outcome, attempts: attempt, cacheHit: nil, logs: logs, inputKey: inputKey, inputs: inputs)
        }
    }

    /// Why a step runs again under `run --changed`, in the terms `cache explain` uses.
    static func changeReason(_ before: StepRecord?, inputs: Node, reference: String) -> String {
        guard let before else { return "it did not exist in execution \(reference)" }
        guard before.status == .succeeded else { return "it \(before.status.rawValue.lowercased()) in execution \(reference)" }
        guard let old = before.inputs else { return "execution \(reference) recorded no inputs for it (an older pipeops)" }
        let changes = NodeDiff.changes(old, inputs)
        let named = changes.prefix(4).map { change in change.path.isEmpty ? "its inputs" : change.path }
        return "changed since execution \(reference): " + named.joined(separator: ", ")
            + (changes.count > 4 ? " and \(changes.count - 4) more" : "")
    }

    private func attemptOnce(_ step: Step, runner: any StepRunner.Type, arguments: Node, context: RuntimeContext, folder: String)
        -> Swift.Result<Node, StepFailure>
    {
        let sandbox = Sandbox(root: folder + "/sandbox", mode: options.isolation)
        do {
            try sandbox.prepare(runner.sandboxFolders)
            var environment = StepEnvironment.base(ProcessInfo.processInfo.environment)
            environment["PYTHONUNBUFFERED"] = "1"
            environment["PIPEOPS_EXECUTION_ID"] = executionId
            environment["PIPEOPS_STEP"] = step.name
            environment.merge(s3Environment) { _, new in new }
            if !options.toolFolders.isEmpty {
                environment["PATH"] = (options.toolFolders + [environment["PATH"] ?? "/usr/bin:/bin"]).joined(separator: ":")
            }
            let job = StepJob(
                step: step, arguments: arguments, context: context, sandbox: sandbox, logDirectory: folder,
                productRoot: options.productRoot, stateDirectory: options.stateDirectory, standIn: options.standIns[step.name],
                fixedOutputs: options.fixedOutputs[step.name], jobName: context.jobName ?? step.name,
                baseEnvironment: environment, stageInputs: !options.unstagedSteps.contains(step.name))
            return .success(try runner.run(job))
        } catch let failure as StepFailure {
            return .failure(failure)
        } catch {
            return .failure(StepFailure(message: (error as? PipeOpsError)?.errorDescription ?? "\(error)", exceptionType: nil))
        }
    }
}
