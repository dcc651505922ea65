import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

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
        /// A partial run (`run --from/--to`): only these steps run; the ones they wait for are
        /// taken from an earlier execution; the rest do not run.
        public var selection: Selection?
        public var isolation: IsolationMode
        /// Stand-in steps whose inputs are not staged (`local.steps.<Step>.stageInputs: false`).
        public var unstagedSteps: Set<String> = []
        /// Folders put first on every step's PATH (a Python product's compile interpreter).
        public var toolFolders: [String] = []
        /// `run --changed`: a step whose inputs are those it had in this execution (which it
        /// succeeded in) takes that result instead of running; the others run.
        public var unchangedFrom: ExecutionRecord?

        public init(
            pipelineName: String, environment: String? = nil, definitionPath: String, parameters: [String: Node], parallelism: Int,
            useCache: Bool = true, productRoot: String, stateDirectory: String, standIns: [String: [String]] = [:],
            fixedOutputs: [String: Node] = [:], s3Mounts: [LocalS3.Mount] = [], isolation: IsolationMode = .detected
        ) {
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

    public struct Selection: Sendable {
        public var selected: Set<String>
        /// Steps taken from `source` instead of running: name → its record there.
        public var reused: [String: StepRecord]
        public var source: String

        public init(selected: Set<String>, reused: [String: StepRecord], source: String) {
            self.selected = selected
            self.reused = reused
            self.source = source
        }
    }
    let onEvent: @Sendable (EngineEvent) -> Void

    private let condition = NSCondition()
    private var record: ExecutionRecord
    private var properties: [String: Node] = [:]
    private var scheduler: Scheduler
    private var ready: [Int] = []
    private var running = 0
    private var stopLaunching = false
    private var interrupted = false
    private let started = Date()
    private var startTimes: [Int: Date] = [:]
    private var endpoint: LocalS3Endpoint?
    private var lastPersist = Date.distantPast
    private var pendingEvents: [EngineEvent] = []
    private let delivery = NSLock()

    public init(pipeline: Pipeline, options: Options, onEvent: @escaping @Sendable (EngineEvent) -> Void = { _ in }) {
        self.pipeline = pipeline
        self.options = options
        self.onEvent = onEvent
        graph = DependencyGraph(pipeline: pipeline)
        scheduler = Scheduler(pipeline: pipeline, graph: graph, scope: nil)
        store = ExecutionStore(stateDirectory: options.stateDirectory)
        s3 = LocalS3(root: options.stateDirectory + "/s3", mounts: options.s3Mounts)
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12))
        record = ExecutionRecord(
            id: id, pipelineName: options.pipelineName, environment: options.environment, definition: options.definitionPath,
            status: .executing, failureReason: nil, startedAt: Timestamp.string(Date()), endedAt: nil, durationSeconds: nil,
            pid: getpid(), parallelism: options.parallelism, isolation: options.isolation.rawValue, cache: options.useCache,
            parameters: options.parameters,
            steps: pipeline.steps.map { StepRecord(name: $0.name, type: $0.type?.rawValue ?? "?", status: .pending, attempts: 0) })
    }

    public var executionId: String { record.id }
    /// The final record as `run()` saved it (what `run --format json` prints: the same bytes).
    public private(set) var savedFinal: Data?

    /// Runs to the end and returns the final record (also saved under .pipeops/executions/<id>).
    public func run() throws(PipeOpsError) -> ExecutionRecord {
        try persist()
        // Steps that call S3 themselves (boto3, the @step runtime) reach this run's store.
        endpoint = try? LocalS3Endpoint(store: s3)
        defer { endpoint?.stop() }
        onEvent(.started(record))
        condition.lock()
        ready = scheduler.initial()
        while true {
            while running < options.parallelism, !stopLaunching, !interrupted, !ready.isEmpty {
                let next = ready.removeFirst()
                if let selection = options.selection, !selection.selected.contains(pipeline.steps[next].name) {
                    settleUnselected(next, selection)
                    continue
                }
                running += 1
                record.steps[next].status = .executing
                startTimes[next] = Date()
                record.steps[next].startedAt = Timestamp.string(startTimes[next]!)
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
        record.status = interrupted ? .interrupted : finalStatus()
        if let first = record.steps.first(where: { $0.status == .failed }) {
            record.failureReason = "Step '\(first.name)' failed with message: \(first.failureReason ?? "unknown")"
        }
        record.endedAt = Timestamp.string(Date())
        record.durationSeconds = Date().timeIntervalSince(started)
        let final = record
        condition.unlock()
        deliverEvents()
        savedFinal = try store.save(final)
        return final
    }

    /// Succeeded, Failed, or CompletedWithFailures when every failed step was handled by a step
    /// that ran because of its failure (a DependsOn trigger Failed or Any). A Fail step always fails.
    private func finalStatus() -> ExecutionRecord.Status {
        let failed = record.steps.indices.filter { record.steps[$0].status == .failed && pipeline.steps[$0].forEachParent == nil }
        if failed.isEmpty { return .succeeded }
        let handled = failed.allSatisfy { index in
            pipeline.steps[index].type != .fail
                && graph.successors[index].contains { edge in
                    let ran = [.succeeded, .failed].contains(record.steps[edge.to].status)
                    let trigger = pipeline.steps[edge.to].dependsOn.first { $0.name == pipeline.steps[index].name }?.trigger
                    return ran && (trigger == .failed || trigger == .any)
                }
        }
        return handled ? .completedWithFailures : .failed
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

    /// Writes the record; the quarter-second throttle of step updates counts from here.
    private func persist(_ snapshot: ExecutionRecord? = nil) throws(PipeOpsError) {
        try store.save(snapshot ?? record)
        lastPersist = Date()
    }

    // MARK: Events, outside the lock

    /// Queues an event; called with the lock held.
    private func enqueue(_ event: EngineEvent) { pendingEvents.append(event) }

    /// Delivers queued events in order without holding the engine's lock, so a slow listener
    /// never blocks the scheduler (and a listener may call back into the engine).
    private func deliverEvents() {
        delivery.lock()
        defer { delivery.unlock() }
        condition.lock()
        let events = pendingEvents
        pendingEvents.removeAll()
        condition.unlock()
        for event in events { onEvent(event) }
    }

    /// Emits from a step's thread (not holding the lock).
    private func emit(_ event: EngineEvent) {
        condition.lock()
        enqueue(event)
        condition.unlock()
        deliverEvents()
    }

    /// Sleeps up to `seconds`, waking early on interrupt; false when interrupted.
    private func sleepUnlessInterrupted(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !interrupted && Date() < deadline { _ = condition.wait(until: deadline) }
        return !interrupted
    }

    // MARK: One step

    var isInterrupted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return interrupted
    }

    func makeExecutor() -> StepExecutor {
        StepExecutor(
            options: options, executionId: record.id, executionFolder: store.folder(for: record.id),
            s3Environment: endpoint?.stepEnvironment ?? [:],
            cache: StepCache(directory: options.stateDirectory + "/cache/" + Self.safeName(options.pipelineName)),
            emit: { [self] in self.emit($0) }, sleep: { [self] in self.sleepUnlessInterrupted($0) })
    }

    /// What expressions see while `step` runs: parameters, execution variables and the
    /// properties of every step that has finished so far.
    func context(for step: Step, jobName: String) -> RuntimeContext {
        condition.lock()
        let known = properties
        condition.unlock()
        return RuntimeContext(
            pipeline: pipeline, pipelineName: options.pipelineName, executionId: record.id, startTime: started,
            parameters: options.parameters, properties: { known[$0] }, s3: s3, jobName: jobName, stepType: step.type)
    }

    private func execute(_ index: Int) {
        let step = pipeline.steps[index]
        let context = context(for: step, jobName: Self.jobName(step: step.name, execution: record.id))
        var children: [StepRecord]?
        let result: StepExecutor.Result
        if step.type == .forEach {
            let outcome = ForEachExecutor(engine: self, step: step, context: context).run()
            result = outcome.result
            children = outcome.children
        } else {
            var executor = makeExecutor()
            if let reference = options.unchangedFrom {
                // Everything downstream of a step that ran again runs too (its outputs may hold
                // other data under the same URIs).
                condition.lock()
                executor.upstreamRan = graph.ancestors(of: index).contains { ancestor in
                    let entry = record.steps[ancestor]
                    return pipeline.steps[ancestor].type != .condition && pipeline.steps[ancestor].type != .fail
                        && entry.status == .succeeded && entry.reusedFrom != reference.id
                }
                condition.unlock()
            }
            result = executor.run(step, as: step.name, context: context)
        }
        condition.lock()
        var entry = record.steps[index]
        entry.endedAt = Timestamp.string(Date())
        if let start = startTimes[index] { entry.durationSeconds = max(0, Date().timeIntervalSince(start)) }
        entry.attempts = result.attempts
        entry.cacheHit = result.cacheHit
        entry.inputKey = result.inputKey
        entry.inputs = result.inputs
        if let reused = result.reusedFrom { entry.reusedFrom = reused }
        entry.stdoutLog = result.logs?.stdout
        entry.stderrLog = result.logs?.stderr
        entry.children = children
        let outcome: Scheduler.Outcome
        switch result.outcome {
        case .success(let props):
            entry.status = .succeeded
            entry.properties = props
            entry.outcome = step.type == .condition ? props["Outcome"]?.bool : nil
            properties[step.name] = props
            outcome = .succeeded(conditionOutcome: entry.outcome)
        case .failure(let failure):
            entry.status = .failed
            entry.failureReason = failure.message
            if step.type == .fail { stopLaunching = true }
            // A step that runs on this failure (DependsOn Trigger Failed) may read its status.
            if let failed = Self.failedProperties(step, failure) {
                entry.properties = failed
                properties[step.name] = failed
            }
            outcome = .failed
        }
        record.steps[index] = entry
        if step.type == .forEach { settleBody(of: step, like: entry) }
        running -= 1
        // Report this step before anything it releases, so progress reads in causal order.
        enqueue(.stepFinished(entry))
        apply(scheduler.finish(index, outcome))
        // Written under the lock, so a late step can never overwrite the final record; at most
        // every quarter second, because encoding the whole record per step is quadratic.
        if Date().timeIntervalSince(lastPersist) >= 0.25 { try? persist() }
        condition.broadcast()
        condition.unlock()
        deliverEvents()
    }

    /// A step outside `run --from/--to`: its result from the source execution, or not run at all.
    /// Called with the lock held.
    private func settleUnselected(_ index: Int, _ selection: Selection) {
        let step = pipeline.steps[index]
        var entry = record.steps[index]
        let outcome: Scheduler.Outcome
        if let reused = selection.reused[step.name] {
            entry.status = .succeeded
            entry.properties = reused.properties
            entry.outcome = reused.outcome
            entry.reusedFrom = selection.source
            entry.reason = "reused from execution \(selection.source)"
            if let properties = reused.properties { self.properties[step.name] = properties }
            outcome = .succeeded(conditionOutcome: reused.outcome)
        } else {
            entry.status = .notRun
            entry.reason = "not selected (run --from/--to)"
            outcome = .notRun
        }
        record.steps[index] = entry
        enqueue(.stepFinished(entry))
        apply(scheduler.finish(index, outcome))
    }

    /// Records the scheduler's decisions; called with the lock held.
    private func apply(_ settlements: [Scheduler.Settlement]) {
        for settlement in settlements {
            switch settlement {
            case .run(let index):
                ready.append(index)
                ready.sort()
            case .skip(let index, let reason), .notRun(let index, let reason):
                var entry = record.steps[index]
                if case .skip = settlement { entry.status = .skipped } else { entry.status = .notRun }
                entry.reason = reason
                record.steps[index] = entry
                let step = pipeline.steps[index]
                if step.type == .forEach { settleBody(of: step, like: entry) }
                enqueue(.stepFinished(entry))
            }
        }
    }

    /// A ForEach body step's own record mirrors its ForEach (its runs are the ForEach's children).
    private func settleBody(of forEach: Step, like entry: StepRecord) {
        for index in pipeline.steps.indices where pipeline.steps[index].forEachParent == forEach.index {
            record.steps[index].status = entry.status
            let runs = entry.children?.filter { $0.name.hasPrefix(pipeline.steps[index].name + "-") }.count ?? 0
            record.steps[index].reason =
                entry.status == .skipped || entry.status == .notRun
                ? entry.reason : "ran \(runs) time\(runs == 1 ? "" : "s") in ForEach '\(forEach.name)' (see its children)"
        }
    }

    /// What a failed job still exposes, as the Describe* response of a failed job does.
    static func failedProperties(_ step: Step, _ failure: StepFailure) -> Node? {
        guard let status = step.type?.kind?.failedStatusField else { return nil }
        return Node(object: [(status, Node(.string("Failed"))), ("FailureReason", Node(.string(failure.message)))])
    }

    static func safeName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    static func jobName(step: String, execution: String) -> String {
        let base = "pipelines-\(execution)-\(step)".lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        return String(String(base).prefix(63))
    }
}
