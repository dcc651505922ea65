import Foundation

/// Progress of a local execution, for the CLI to show.
public enum EngineEvent: Sendable {
    case started(ExecutionRecord)
    case stepStarted(name: String, attempt: Int)
    case stepRetrying(name: String, attempt: Int, delay: Double, reason: String)
    case stepFinished(StepRecord)
    case note(String)
}

/// Runs a definition end to end on this machine with SageMaker's semantics.
///
/// Scheduling: a ready set over the dependency graph; up to `parallelism` steps run at once,
/// each on its own thread (steps are child processes, so threads mostly wait).
/// Failure policy: a failed step fails the execution and marks everything that needs it NotRun;
/// independent branches still run to completion, so one run tells you about every branch. A
/// Fail step is different, as on the service: steps already running finish, nothing new starts.
public final class LocalEngine: @unchecked Sendable {
    public struct Options: Sendable {
        public var pipelineName: String
        public var environment: String?
        public var definitionPath: String
        public var parameters: [String: Node]
        public var parallelism: Int
        public var useCache: Bool
        /// Where relative stand-in commands and local.s3 folders resolve, and steps run from.
        public var productRoot: String
        /// `.pipeops/` (executions, object store, cache, model registry).
        public var stateDirectory: String
        public var standIns: [String: [String]]
        public var fixedOutputs: [String: Node]
        public var s3Mounts: [LocalS3.Mount]
        public var isolation: IsolationMode

        public init(pipelineName: String, environment: String? = nil, definitionPath: String, parameters: [String: Node], parallelism: Int,
                    useCache: Bool = true, productRoot: String, stateDirectory: String, standIns: [String: [String]] = [:],
                    fixedOutputs: [String: Node] = [:], s3Mounts: [LocalS3.Mount] = [], isolation: IsolationMode = .detected)
        {
            self.pipelineName = pipelineName
            self.environment = environment
            self.definitionPath = definitionPath
            self.parameters = parameters
            self.parallelism = max(1, parallelism)
            self.useCache = useCache
            self.productRoot = productRoot
            self.stateDirectory = stateDirectory
            self.standIns = standIns
            self.fixedOutputs = fixedOutputs
            self.s3Mounts = s3Mounts
            self.isolation = isolation
        }
    }

    let pipeline: Pipeline
    let graph: DependencyGraph
    let options: Options
    let store: ExecutionStore
    let s3: LocalS3
    let onEvent: @Sendable (EngineEvent) -> Void

    private let condition = NSCondition()
    private var record: ExecutionRecord
    private var properties: [String: Node] = [:]
    private var remaining: [Int]
    private var ready: [Int] = []
    private var running = 0
    private var stopLaunching = false
    private var interrupted = false
    private let started = Date()
    private var startTimes: [Int: Date] = [:]
    private var lastPersist = Date.distantPast

    public init(pipeline: Pipeline, options: Options, onEvent: @escaping @Sendable (EngineEvent) -> Void = { _ in }) {
        self.pipeline = pipeline
        self.options = options
        self.onEvent = onEvent
        graph = DependencyGraph(pipeline: pipeline)
        store = ExecutionStore(stateDirectory: options.stateDirectory)
        s3 = LocalS3(root: options.stateDirectory + "/s3", mounts: options.s3Mounts)
        remaining = graph.predecessors.map(\.count)
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12))
        record = ExecutionRecord(
            id: id, pipelineName: options.pipelineName, environment: options.environment, definition: options.definitionPath,
            status: .executing, failureReason: nil, startedAt: StepRunners.iso(Date()), endedAt: nil, durationSeconds: nil,
            pid: getpid(), parallelism: options.parallelism, isolation: options.isolation.rawValue, cache: options.useCache,
            parameters: options.parameters,
            steps: pipeline.steps.map { StepRecord(name: $0.name, type: $0.type?.rawValue ?? "?", status: .pending, attempts: 0) })
    }

    public var executionId: String { record.id }

    /// Problems that stop a run before it starts: cycles, and steps that cannot run here.
    public static func preflight(_ pipeline: Pipeline, standIns: [String: [String]], fixedOutputs: [String: Node]) -> [String] {
        var problems: [String] = []
        let graph = DependencyGraph(pipeline: pipeline)
        if case .failure(let cycles) = graph.topologicalOrder() {
            problems += cycles.cycles.map { "dependency cycle: \(graph.describe($0, pipeline: pipeline))" }
        }
        for step in pipeline.steps {
            let hasStandIn = standIns[step.name] != nil
            switch step.type {
            case .processing?, .training?, .model?, .registerModel?, .condition?, .fail?: continue
            case .lambda?, .callback?:
                if !hasStandIn && fixedOutputs[step.name] == nil {
                    problems.append("\(step.type!.rawValue) step '\(step.name)' needs a stand-in: set local.steps.\(step.name).command (prints the output parameters as JSON) or local.steps.\(step.name).outputs in pipeops.yaml")
                }
            default:
                if !hasStandIn {
                    problems.append("\(step.type?.rawValue ?? "untyped") step '\(step.name)' cannot run locally: set local.steps.\(step.name).command in pipeops.yaml to run a stand-in in its place")
                }
            }
        }
        return problems
    }

    /// Runs to the end and returns the final record (also saved under .pipeops/executions/<id>).
    public func run() throws(PipeOpsError) -> ExecutionRecord {
        try persist()
        onEvent(.started(record))
        condition.lock()
        ready = (0..<pipeline.steps.count).filter { remaining[$0] == 0 }
        while true {
            while running < options.parallelism, !stopLaunching, !interrupted, !ready.isEmpty {
                let next = ready.removeFirst()
                running += 1
                record.steps[next].status = .executing
                startTimes[next] = Date()
                record.steps[next].startedAt = StepRunners.iso(startTimes[next]!)
                let thread = Thread { [self] in self.execute(next) }
                thread.stackSize = 4 << 20
                thread.start()
            }
            if running == 0 && (ready.isEmpty || stopLaunching || interrupted) { break }
            condition.wait()
        }
        for index in record.steps.indices where record.steps[index].status == .pending || record.steps[index].status == .executing {
            record.steps[index].status = .notRun
            record.steps[index].reason = interrupted ? "the execution was interrupted" : "the execution stopped before it could start"
        }
        let failed = record.steps.filter { $0.status == .failed }
        record.status = interrupted ? .interrupted : failed.isEmpty ? .succeeded : .failed
        if let first = failed.first {
            record.failureReason = "Step '\(first.name)' failed with message: \(first.failureReason ?? "unknown")"
        }
        record.endedAt = StepRunners.iso(Date())
        record.durationSeconds = Date().timeIntervalSince(started)
        let final = record
        defer { condition.unlock() }
        try persist(final)
        return final
    }

    /// Stops launching steps, terminates running ones, and marks the record interrupted.
    public func interrupt() {
        condition.lock()
        interrupted = true
        record.status = .interrupted
        try? persist()
        condition.broadcast()
        condition.unlock()
        ProcessRunner.shared.terminateAll()
    }

    private func persist(_ snapshot: ExecutionRecord? = nil) throws(PipeOpsError) {
        try store.save(snapshot ?? record)
    }

    // MARK: One step

    private func execute(_ index: Int) {
        let step = pipeline.steps[index]
        let result = runStep(step)
        condition.lock()
        var entry = record.steps[index]
        entry.endedAt = StepRunners.iso(Date())
        if let start = startTimes[index] { entry.durationSeconds = max(0, Date().timeIntervalSince(start)) }
        entry.attempts = result.attempts
        entry.cacheHit = result.cacheHit
        entry.stdoutLog = result.logs?.stdout
        entry.stderrLog = result.logs?.stderr
        switch result.outcome {
        case .success(let props):
            entry.status = .succeeded
            entry.properties = props
            entry.outcome = step.type == .condition ? props["Outcome"]?.bool : nil
            properties[step.name] = props
        case .failure(let failure):
            entry.status = .failed
            entry.failureReason = failure.message
            if step.type == .fail { stopLaunching = true }
        }
        record.steps[index] = entry
        running -= 1
        // Report this step before anything it releases, so progress reads in causal order.
        onEvent(.stepFinished(entry))
        release(after: index)
        // Written under the lock, so a late step can never overwrite the final record; at most
        // every quarter second, because encoding the whole record per step is quadratic.
        if Date().timeIntervalSince(lastPersist) >= 0.25 {
            try? persist()
            lastPersist = Date()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Updates successors of a finished (or skipped) step; called with the lock held.
    private func release(after index: Int) {
        for edge in graph.successors[index] {
            remaining[edge.to] -= 1
            guard remaining[edge.to] == 0, record.steps[edge.to].status == .pending else { continue }
            if let reason = blockReason(edge.to) {
                var entry = record.steps[edge.to]
                entry.status = reason.status
                entry.reason = reason.text
                record.steps[edge.to] = entry
                onEvent(.stepFinished(entry))
                release(after: edge.to)
            } else {
                ready.append(edge.to)
                ready.sort()
            }
        }
    }

    private func blockReason(_ index: Int) -> (status: StepRecord.Status, text: String)? {
        for edge in graph.predecessors[index] {
            let predecessor = record.steps[edge.from]
            switch predecessor.status {
            case .failed, .notRun:
                return (.notRun, "step '\(predecessor.name)' \(predecessor.status == .failed ? "failed" : "did not run")")
            case .skipped:
                return (.skipped, "step '\(predecessor.name)' was skipped")
            default: break
            }
        }
        if let membership = pipeline.steps[index].membership {
            let condition = record.steps[membership.condition]
            if condition.outcome != membership.outcome {
                return (.skipped, "Condition '\(condition.name)' was \(condition.outcome == true ? "true" : "false"), so \(membership.branch.rawValue) did not run")
            }
        }
        return nil
    }

    struct StepResult {
        var outcome: Result<Node, StepFailure>
        var attempts: Int
        var cacheHit: StepRecord.CacheHit?
        var logs: (stdout: String, stderr: String)?
    }

    private func snapshotProperties() -> [String: Node] {
        condition.lock()
        defer { condition.unlock() }
        return properties
    }

    private func runStep(_ step: Step) -> StepResult {
        let stepFolder = store.folder(for: record.id) + "/steps/" + Self.safeName(step.name)
        let jobName = Self.jobName(step: step.name, execution: record.id)
        let known = snapshotProperties()
        let context = RuntimeContext(pipeline: pipeline, pipelineName: options.pipelineName, executionId: record.id, startTime: started,
                                     parameters: options.parameters, properties: { known[$0] }, s3: s3, jobName: jobName, stepType: step.type)
        switch step.type {
        case .condition?:
            do {
                let outcome = try Evaluator.conditions(step.arguments?["Conditions"]?.elements ?? [], context)
                return StepResult(outcome: .success(Node(.object([member("Outcome", .bool(outcome))]))), attempts: 1)
            } catch {
                return StepResult(outcome: .failure(StepFailure(message: error.message, exceptionType: nil)), attempts: 1)
            }
        case .fail?:
            let message: String
            do { message = Evaluator.text(try Evaluator.resolve(step.arguments?["ErrorMessage"] ?? Node(.string("")), context)) } catch {
                message = "the ErrorMessage could not be evaluated: \(error.message)"
            }
            return StepResult(outcome: .failure(StepFailure(message: message, exceptionType: nil)), attempts: 1)
        default: break
        }

        let arguments: Node
        do { arguments = try Evaluator.resolve(step.arguments ?? Node(.object([])), context) } catch {
            return StepResult(outcome: .failure(StepFailure(message: error.message, exceptionType: nil)), attempts: 1)
        }
        // Caching, with the service's key attributes after expression resolution.
        let cache = StepCache(directory: options.stateDirectory + "/cache/" + Self.safeName(options.pipelineName))
        let cacheConfig = step.node["CacheConfig"]
        let cacheKey = (options.useCache && cacheConfig?["Enabled"]?.bool == true && step.type?.supportsCaching == true)
            ? StepCache.key(step: step, arguments: arguments, standIn: options.standIns[step.name]) : nil
        if let cacheKey, let hit = cache.lookup(cacheKey, expireAfter: cacheConfig?["ExpireAfter"]?.string) {
            onEvent(.note("\(step.name): cache hit from execution \(hit.execution)"))
            return StepResult(outcome: .success(hit.properties), attempts: 0,
                              cacheHit: StepRecord.CacheHit(sourceExecution: hit.execution, completedAt: hit.completedAt))
        }

        var attempt = 0
        let firstStart = Date()
        while true {
            attempt += 1
            onEvent(.stepStarted(name: step.name, attempt: attempt))
            let attemptFolder = attempt == 1 ? stepFolder : stepFolder + "/attempt-\(attempt)"
            let sandbox = Sandbox(root: attemptFolder + "/sandbox", mode: options.isolation)
            let logs = (stdout: attemptFolder + "/stdout.log", stderr: attemptFolder + "/stderr.log")
            var outcome: Result<Node, StepFailure>
            do {
                try sandbox.prepare(Self.sandboxFolders(step.type))
                var environment = ProcessInfo.processInfo.environment
                for secret in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"] { environment[secret] = nil }
                environment["PYTHONUNBUFFERED"] = "1"
                environment["PIPEOPS_EXECUTION_ID"] = record.id
                environment["PIPEOPS_STEP"] = step.name
                let job = StepJob(step: step, arguments: arguments, context: context, sandbox: sandbox, logDirectory: attemptFolder,
                                  productRoot: options.productRoot, stateDirectory: options.stateDirectory, standIn: options.standIns[step.name],
                                  fixedOutputs: options.fixedOutputs[step.name], jobName: jobName, baseEnvironment: environment)
                outcome = .success(try Self.dispatch(job))
            } catch let failure as StepFailure {
                outcome = .failure(failure)
            } catch {
                outcome = .failure(StepFailure(message: (error as? PipeOpsError)?.errorDescription ?? "\(error)", exceptionType: nil))
            }
            if case .failure(let failure) = outcome, let delay = retryDelay(step: step, failure: failure, attempt: attempt, since: firstStart), !isInterrupted {
                onEvent(.stepRetrying(name: step.name, attempt: attempt + 1, delay: delay, reason: failure.message))
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                continue
            }
            if case .success(let props) = outcome, let cacheKey {
                cache.store(cacheKey, properties: props, execution: record.id, step: step.name)
            }
            return StepResult(outcome: outcome, attempts: attempt, cacheHit: nil, logs: logs)
        }
    }

    private var isInterrupted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return interrupted
    }

    static func dispatch(_ job: StepJob) throws(StepFailure) -> Node {
        switch job.step.type {
        case .processing?: return try StepRunners.processing(job)
        case .training?: return try StepRunners.training(job)
        case .transform?: return try StepRunners.transform(job)
        case .model?: return job.standIn != nil ? try StepRunners.generic(job) : try StepRunners.model(job)
        case .registerModel?: return job.standIn != nil ? try StepRunners.generic(job) : try StepRunners.registerModel(job)
        case .lambda?, .callback?: return try StepRunners.outputParameters(job)
        default: return try StepRunners.generic(job)
        }
    }

    /// The wait before the next attempt when a retry policy covers this failure, else nil.
    func retryDelay(step: Step, failure: StepFailure, attempt: Int, since start: Date) -> Double? {
        guard let type = failure.exceptionType else { return nil }
        for policy in step.node["RetryPolicies"]?.elements ?? [] {
            guard policy["ExceptionType"]?.elements?.contains(where: { $0.string == type }) == true else { continue }
            let interval = policy["IntervalSeconds"]?.double ?? 1
            let backoff = policy["BackoffRate"]?.double ?? 2
            let delay = interval * pow(backoff, Double(attempt - 1))
            if let minutes = policy["ExpireAfterMin"]?.double {
                return Date().timeIntervalSince(start) + delay <= minutes * 60 ? delay : nil
            }
            let retries = policy["MaxAttempts"]?.int ?? 5
            return attempt <= retries ? delay : nil
        }
        return nil
    }

    /// The /opt/ml layout of each step kind (SageMaker's container conventions).
    static func sandboxFolders(_ type: StepType?) -> [String] {
        switch type {
        case .processing?: return ["config", "output", "processing"]
        case .training?: return ["input/config", "input/data", "model", "output/data", "code"]
        case .transform?: return ["model", "output", "transform"]
        default: return ["output"]
        }
    }

    static func safeName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    static func jobName(step: String, execution: String) -> String {
        let base = "pipelines-\(execution)-\(step)".lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        return String(String(base).prefix(63))
    }
}

/// Cached step results, keyed by the service's cache-key attributes.
struct StepCache: Sendable {
    let directory: String

    struct Hit { var properties: Node; var execution: String; var completedAt: String }

    static let keyAttributes: [StepType: [String]] = [
        .processing: ["AppSpecification", "Environment", "ProcessingInputs"],
        .training: ["AlgorithmSpecification", "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations", "Environment", "HyperParameters", "InputDataConfig"],
        .transform: ["DataProcessing", "Environment", "ModelName", "TransformInput"],
        .tuning: ["HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"],
        .autoML: ["AutoMLJobConfig", "AutoMLJobObjective", "InputDataConfig", "ProblemType"],
        .emr: ["ClusterId", "StepConfig"],
    ]

    static func key(step: Step, arguments: Node, standIn: [String]?) -> String {
        var parts: [(String, Node)] = [("Type", Node(.string(step.type?.rawValue ?? "")))]
        if let type = step.type, let attributes = keyAttributes[type] {
            for attribute in attributes { parts.append((attribute, arguments[attribute] ?? Node(.null))) }
        } else {
            parts.append(("Arguments", arguments))
        }
        if let standIn { parts.append(("LocalStandIn", Node(.array(standIn.map { Node(.string($0)) })))) }
        return DefinitionHashes.sha256(CanonicalJSON.data(Node(object: parts)))
    }

    func lookup(_ key: String, expireAfter: String?) -> Hit? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(key).json"),
              let entry = try? DocumentLoader.parse(data: data, path: key, syntax: .json).root,
              let completed = entry["completedAt"]?.string, let date = Ledger.date(from: completed),
              let props = entry["properties"], let execution = entry["execution"]?.string else { return nil }
        if let expireAfter, let seconds = CacheDuration.seconds(expireAfter), Date().timeIntervalSince(date) > seconds { return nil }
        return Hit(properties: props, execution: execution, completedAt: completed)
    }

    func store(_ key: String, properties: Node, execution: String, step: String) {
        let entry = Node(object: [("completedAt", Node(.string(StepRunners.iso(Date())))), ("execution", Node(.string(execution))),
                                  ("step", Node(.string(step))), ("properties", properties)])
        try? AtomicFile.write(CanonicalJSON.data(entry, pretty: true), to: "\(directory)/\(key).json")
    }
}
