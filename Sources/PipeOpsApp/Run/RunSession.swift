import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops run` as a library call (as `LintSession` is for lint): finds the product, lints the
/// definition (a definition SageMaker would reject never runs), checks that every step can run
/// here, resolves parameters and builds the engine's options; after a successful run in a git
/// repository it records the smoke run that `promote` accepts as evidence.
public struct RunSession {
    public struct Request: Sendable {
        public var directory: String
        public var environment: String?
        public var definition: String?
        public var parameters: [(name: String, value: String)]
        public var parallelism: Int?
        public var useCache: Bool
        /// `run --from STEP [--to STEP] [--reuse EXECUTION]`.
        public var from: String?
        public var to: String?
        public var reuse: String?
        /// The pipeline of pipeops.yaml to run, when it lists several.
        public var pipeline: String?
        /// `run --changed [--against ENV | --base REV]`.
        public var changed: Changed?

        public struct Changed: Sendable {
            public var against: String?
            public var base: String?

            public init(against: String?, base: String?) {
                self.against = against
                self.base = base
            }
        }

        public init(
            directory: String = FileManager.default.currentDirectoryPath, environment: String? = nil, definition: String? = nil,
            parameters: [(name: String, value: String)] = [], parallelism: Int? = nil, useCache: Bool = true
        ) {
            self.directory = directory
            self.environment = environment
            self.definition = definition
            self.parameters = parameters
            self.parallelism = parallelism
            self.useCache = useCache
        }
    }

    /// Why a run did not start.
    public enum Refusal: Error, Sendable {
        /// The definition has lint errors; SageMaker would reject it.
        case lintErrors([Finding])
        case tool(PipeOpsError)
    }

    public let request: Request
    public let pipeline: Pipeline
    public let options: LocalEngine.Options
    /// The product's `.pipeops/` as the user sees it (relative to the directory).
    public let stateDisplay: String
    /// What the user should know before the run starts (said once per run).
    public var notes: [String] { isolationNotes + (changedNote.map { [$0] } ?? []) }

    /// `run --changed`: which execution is the reference, and why that one.
    var changedNote: String?

    var isolationNotes: [String] {
        switch options.isolation {
        case .rewrite:
            return [
                "private mount namespaces are not available here; /opt/ml in entry points, arguments and environment is rewritten to each step's sandbox (scripts that hard-code /opt/ml will not find it)"
            ]
        case .namespace where Sandbox.helper == nil:
            return [
                "pipeops-sandbox is not beside the pipeops binary; each step enters its mount namespace through unshare + sh instead (slower; 'pipeops doctor' shows what was found)"
            ]
        default:
            return []
        }
    }
    let context: ProductContext?
    /// The environment as the run resolved it (what its smoke record says ran).
    var environment: ResolvedEnvironment?
    /// Code and images the run uses: code URIs are content-addressed exactly as render does, so
    /// an edited script changes the steps' cache keys here as it will on SageMaker.
    public let artifacts: ArtifactSet

    /// Every check that can fail before a step starts, in this order: the product and the
    /// environment (nothing else can be read without them), the definition and its lint errors
    /// (a rejected definition never runs), steps that cannot run here, then parameter values.
    public static func prepare(_ request: Request) throws(Refusal) -> RunSession {
        IsolationMode.detectInBackground()
        do {
            let product = try Product.locate(from: request.directory, pipeline: request.pipeline)
            let manifest = product.manifest
            var values: [String: Node] = [:]
            var parallelism: Int?
            var pipelineName = manifest?.pipelineName ?? "local-pipeline"
            var context: ProductContext?
            var resolved: ResolvedEnvironment?
            var pins: [String: String] = [:]
            if let name = request.environment {
                let base = try ProductContext.load(product, directory: request.directory)
                let environment = try base.environment(named: name)
                // The environment's own kwargs: compiled with them, as render compiles it.
                let loaded = try base.compiled(for: environment)
                values = environment.values
                parallelism = environment.parallelism
                pipelineName = environment.pipelineName
                pins = environment.images
                context = loaded
                resolved = environment
            }
            // The product's own definition is the one its context loaded (the environment's
            // compile variant, if it has one); another file is loaded here.
            var document: Document
            if request.definition == nil, let context {
                document = context.pipeline.document
            } else {
                document = try product.loadDefinition(request.definition, syntax: .finding)
            }
            // The gate's settings: pipeops.yaml's disables, and its property files for its own definition.
            var lint = LintOptions()
            if let manifest {
                let settings = try manifest.lintSettings(display: DisplayPath(base: request.directory))
                lint = settings.options
                if request.definition == nil { lint.propertySamples = settings.samples }
            }
            let errors = Linter(options: lint).lint(definition: document).filter { $0.severity == .error }
            if !errors.isEmpty { throw Refusal.lintErrors(errors) }
            let folders = try manifest?.codeFolders() ?? []
            let (shipped, artifacts) = try ArtifactRewriter(folders: folders, pins: pins, display: document.path).apply(to: document.root)
            document.root = shipped
            let pipeline = Pipeline(document: document)
            let problems = LocalEngine.preflight(
                pipeline, standIns: manifest?.localSteps ?? [:], fixedOutputs: manifest?.localStepOutputs ?? [:])
            if !problems.isEmpty { throw PipeOpsError.message(problems.joined(separator: "\n")) }
            let parameters = try RunParameters.resolve(pipeline, environment: values, overrides: request.parameters)
            let root = manifest?.directory ?? request.directory
            var options = LocalEngine.Options(
                pipelineName: pipelineName, environment: request.environment, definitionPath: document.path, parameters: parameters,
                parallelism: request.parallelism ?? parallelism ?? ProcessInfo.processInfo.activeProcessorCount,
                useCache: request.useCache, productRoot: root, stateDirectory: Layout.state(root),
                standIns: manifest?.localSteps ?? [:], fixedOutputs: manifest?.localStepOutputs ?? [:],
                s3Mounts: artifacts.mounts + folders.map { LocalS3.Mount(prefix: $0.prefix, directory: $0.directory) }
                    + (manifest?.localS3 ?? []).map { LocalS3.Mount(prefix: $0.prefix, directory: manifest!.resolve($0.path)) })
            options.unstagedSteps = manifest?.localStepsUnstaged ?? []
            if let manifest, request.definition == nil, let entry = manifest.definition, PythonDefinition.isPython(entry) {
                options.toolFolders = [(try PythonDefinition.interpreterPath(manifest) as NSString).deletingLastPathComponent]
            }
            var changedNote: String?
            if let changed = request.changed {
                let reference = try Self.changedReference(changed, request: request, context: context)
                options.unchangedFrom = reference.record
                changedNote =
                    "--changed: the reference is execution \(reference.record.id) (\(reference.why)); unchanged steps take its results"
            }
            if request.from != nil || request.to != nil {
                options.selection = try selection(request, pipeline: pipeline, store: ExecutionStore(stateDirectory: Layout.state(root)))
            }
            var session = RunSession(
                request: request, pipeline: pipeline, options: options,
                stateDisplay: DisplayPath(base: request.directory)(Layout.state(root)), context: context, artifacts: artifacts)
            session.changedNote = changedNote
            session.environment = resolved
            return session
        } catch let refusal as Refusal {
            throw refusal
        } catch let error as PipeOpsError {
            throw .tool(error)
        } catch {
            throw .tool(.message("\(error)"))
        }
    }

    /// The steps `--from`/`--to` select (the descendants of FROM, cut at the ancestors of TO),
    /// and the results they need from an earlier execution (REUSE, else the newest that ran the
    /// same pipeline), which must have succeeded there. Every check runs before anything starts.
    static func selection(_ request: Request, pipeline: Pipeline, store: ExecutionStore) throws(PipeOpsError) -> LocalEngine.Selection {
        let graph = DependencyGraph(pipeline: pipeline)
        func index(_ name: String, _ flag: String) throws(PipeOpsError) -> Int {
            guard let step = pipeline.step(named: name) else {
                throw .invalidArgument("\(flag): no step named '\(name)'\(Suggestion.didYouMean(name, in: pipeline.steps.map(\.name)))")
            }
            guard step.forEachParent == nil else {
                throw .invalidArgument("\(flag): '\(name)' runs inside a ForEach; select the ForEach step")
            }
            return step.index
        }
        var selected = Set(pipeline.steps.indices.filter { pipeline.steps[$0].forEachParent == nil })
        if let from = request.from {
            let start = try index(from, "--from")
            selected = graph.descendants(of: start).union([start])
        }
        if let to = request.to {
            let end = try index(to, "--to")
            let needed = graph.ancestors(of: end).union([end])
            if let from = request.from, !needed.contains(pipeline.step(named: from)!.index) {
                throw .invalidArgument("--to \(to) does not come after --from \(from): nothing would run")
            }
            selected.formIntersection(needed)
        }
        // ForEach bodies run with their ForEach.
        for index in pipeline.steps.indices where pipeline.steps[index].forEachParent.map(selected.contains) == true {
            selected.insert(index)
        }
        let needs = selected.reduce(into: Set<Int>()) { $0.formUnion(graph.ancestors(of: $1)) }.subtracting(selected)
        let names = Set(selected.map { pipeline.steps[$0].name })
        guard !needs.isEmpty else { return LocalEngine.Selection(selected: names, reused: [:], source: "") }
        let source: ExecutionRecord
        if let id = request.reuse {
            guard id.allSatisfy({ $0.isLetter || $0.isNumber }) else { throw .invalidArgument("--reuse: '\(id)' is not an execution id") }
            source = try store.load(id)
        } else {
            let name = pipeline.steps[needs.first!].name
            guard
                let newest = store.list().first(where: { record in
                    record.steps.contains { $0.name == name && $0.status == .succeeded }
                })
            else {
                throw .message(
                    "--from needs the results of \(needs.map { pipeline.steps[$0].name }.sorted().joined(separator: ", ")) from an earlier execution, and none has them; run the whole pipeline once (or name one with --reuse)"
                )
            }
            source = newest
        }
        var reused: [String: StepRecord] = [:]
        var missing: [String] = []
        for index in needs.sorted() {
            let name = pipeline.steps[index].name
            if let entry = source.steps.first(where: { $0.name == name }), entry.status == .succeeded {
                reused[name] = entry
            } else {
                missing.append("\(name) (\(source.steps.first { $0.name == name }?.status.rawValue ?? "absent"))")
            }
        }
        if !missing.isEmpty {
            throw .message(
                "execution \(source.id) has no successful result of \(missing.joined(separator: ", ")), which the selected steps need; select them too, or --reuse another execution"
            )
        }
        return LocalEngine.Selection(selected: names, reused: reused, source: source.id)
    }

    /// Records a successful run of the request's environment as promotion evidence; nil when
    /// there is nothing to record (no environment, or the run did not succeed).
    public func recordSmokeRun(_ record: ExecutionRecord) throws(PipeOpsError) -> PromotionRecord? {
        // A partial run (--from/--to) did not run the whole pipeline: it is no evidence.
        guard record.status == .succeeded, request.from == nil, request.to == nil, let environment, let context else { return nil }
        return try Promoter.recordSmokeRun(context, environment: environment, execution: record.id, artifacts: artifacts)
    }
}
