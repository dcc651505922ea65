import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// What the local engine reports while it runs, and what it leaves behind (PipeOpsEngine's types,
/// named here so the executable needs no engine import).
public typealias RunEvent = EngineEvent
public typealias ExecutionResult = ExecutionRecord

/// `pipeops lint`: the one lint gate (every command that refuses lint errors uses the same one).
public enum LintUseCase {
    /// With several pipelines and no `pipeline`, every pipeline is linted.
    public static func run(
        files: [String], propertySamples: [(name: String, path: String)] = [], apiModel: String? = nil, pipeline: String? = nil
    ) throws(PipeOpsError) -> LintReport {
        var request = LintRequest(files: files, propertySamples: propertySamples, apiModel: apiModel)
        request.pipeline = pipeline
        return try LintSession.run(request)
    }
}

/// `pipeops run`: a local execution, prepared (lint gate, parameters, stand-ins), then run.
public final class LocalRun: @unchecked Sendable {
    public typealias Request = RunSession.Request
    let session: RunSession
    private let lock = NSLock()
    private var engine: LocalEngine?
    private var interrupted = false

    /// Notes of the preparation (stand-ins, reused results) to show before the run.
    public var notes: [String] { session.notes }
    /// Where the execution's state is kept, as shown.
    public var stateDisplay: String { session.stateDisplay }
    public var pipeline: Pipeline { session.pipeline }

    /// Prepares the run; lint errors throw `PipeOpsError.findings` (the run is refused).
    public init(_ request: Request, lintRefusal: (() -> Void)? = nil) throws(PipeOpsError) {
        do { session = try RunSession.prepare(request) } catch {
            switch error {
            case .lintErrors(let findings):
                lintRefusal?()
                throw PipeOpsError.findings(findings)
            case .tool(let error): throw error
            }
        }
    }

    public func run(onEvent: @escaping @Sendable (RunEvent) -> Void) throws(PipeOpsError) -> ExecutionResult {
        let engine = LocalEngine(pipeline: session.pipeline, options: session.options, onEvent: onEvent)
        let early = lock.withLock {
            self.engine = engine
            return interrupted
        }
        if early { engine.interrupt() }
        return try engine.run()
    }

    /// The final record's JSON as the engine saved it, once the run has ended.
    public var finalRecordJSON: Data? { lock.withLock { engine?.savedFinal } }

    /// Stops the running execution (its steps get SIGTERM, then SIGKILL); before the run, the run
    /// stops as soon as it starts.
    public func interrupt() {
        let engine = lock.withLock {
            interrupted = true
            return self.engine
        }
        engine?.interrupt()
    }

    /// Records a succeeded run with the environment's own parameters as smoke evidence.
    public func recordSmokeRun(_ record: ExecutionResult) throws(PipeOpsError) -> PromotionRecord? {
        try session.recordSmokeRun(record)
    }

    /// `pipeops cache explain`: per step, whether the next run would hit the cache, and why.
    public func explainCache(steps: [String], against: String?) throws(PipeOpsError) -> [CacheExplainer.Prediction] {
        if let first = steps.first(where: { session.pipeline.step(named: $0) == nil }) {
            throw PipeOpsError.invalidArgument(
                "no step named '\(first)'\(Suggestion.didYouMean(first, in: session.pipeline.steps.map(\.name)))")
        }
        return try CacheExplainer(pipeline: session.pipeline, options: session.options, against: against).explain(only: Set(steps))
    }
}

extension LocalRun {
    /// `cache explain --format json`: one object per step.
    public static func json(_ predictions: [CacheExplainer.Prediction]) -> Node {
        let steps = predictions.map { p in
            Node(object: [
                ("name", Node(.string(p.step))), ("type", Node(.string(p.type))), ("prediction", Node(.string(p.verdict.rawValue))),
                ("key", p.key.map { Node(.string($0)) } ?? Node(.null)),
                ("sourceExecution", p.sourceExecution.map { Node(.string($0)) } ?? Node(.null)),
                ("reasons", Node(.array(p.reasons.map { Node(.string($0)) }))),
                (
                    "changes",
                    Node(
                        .array(
                            p.changes.map { c in
                                Node(object: [
                                    ("path", Node(.string(c.path))), ("old", c.old.map { Node(.string($0)) } ?? Node(.null)),
                                    ("new", c.new.map { Node(.string($0)) } ?? Node(.null)),
                                ])
                            }))
                ),
                ("warnings", Node(.array(p.warnings.map { Node(.string($0)) }))),
            ])
        }
        return Node(object: [("steps", Node(.array(steps)))])
    }
}

/// The product's local executions (`.pipeops/executions`).
public enum LocalExecutions {
    static func store(from directory: String) throws(PipeOpsError) -> ExecutionStore {
        // The product's executions, whichever of its pipelines ran them.
        let root = try Product.locate(from: directory, anyPipeline: true).manifest?.directory ?? directory
        return ExecutionStore(stateDirectory: Layout.state(root))
    }

    /// Newest first.
    public static func list(from directory: String = FileManager.default.currentDirectoryPath) throws(PipeOpsError) -> [ExecutionResult] {
        try store(from: directory).list()
    }

    /// One execution by id; an id is letters and digits only (it names a folder).
    public static func load(_ id: String, from directory: String = FileManager.default.currentDirectoryPath) throws(PipeOpsError)
        -> ExecutionResult
    {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw PipeOpsError.invalidArgument("'\(id)' is not an execution id")
        }
        return try store(from: directory).load(id)
    }
}

/// `pipeops graph` and the scheduler's waves.
public enum GraphUseCase {
    /// The product's definition (or `file`) and, with `execution`, that local execution.
    public static func load(file: String?, execution: String?, workspace: Workspace = Workspace())
        throws(PipeOpsError) -> (pipeline: Pipeline, execution: ExecutionResult?)
    {
        let document = try workspace.product().loadDefinition(file)
        let record = try execution.map { id throws(PipeOpsError) in try LocalExecutions.load(id, from: workspace.directory) }
        return (Pipeline(document: document), record)
    }

    public struct Waves: Sendable {
        public var waves: [(steps: [String], concurrency: Int)]
        public var peak: Int
        /// The environment's (or the given) parallelism.
        public var limit: Int?
    }

    /// The waves of steps the scheduler runs; steps on the two branches of one Condition never
    /// run together, so a wave's concurrency counts the larger branch only.
    public static func waves(environment: String?, parallelism: Int?, workspace: Workspace = Workspace())
        throws(PipeOpsError) -> Waves
    {
        let pipeline = Pipeline(document: try workspace.product().loadDefinition())
        guard let order = DependencyGraph.waves(pipeline) else {
            throw PipeOpsError.message("the definition has a dependency cycle; 'pipeops lint' names it")
        }
        var limit = parallelism
        if limit == nil, let environment { limit = try workspace.context().environment(named: environment).parallelism }
        func concurrency(_ wave: [Step]) -> Int {
            var alone = 0
            var branches: [Int: (ifSteps: Int, elseSteps: Int)] = [:]
            for step in wave {
                guard let membership = step.membership else {
                    alone += 1
                    continue
                }
                var counts = branches[membership.condition] ?? (0, 0)
                if membership.outcome { counts.ifSteps += 1 } else { counts.elseSteps += 1 }
                branches[membership.condition] = counts
            }
            return alone + branches.values.map { max($0.ifSteps, $0.elseSteps) }.reduce(0, +)
        }
        let waves = order.map { wave in (wave.map(\.name), concurrency(wave)) }
        return Waves(waves: waves, peak: waves.map(\.1).max() ?? 0, limit: limit)
    }
}
