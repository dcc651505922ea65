import Foundation

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
    public var notes: [String] {
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
    /// Code and images the run uses: code URIs are content-addressed exactly as render does, so
    /// an edited script changes the steps' cache keys here as it will on SageMaker.
    public let artifacts: ArtifactSet

    /// Every check that can fail before a step starts, in this order: the product and the
    /// environment (nothing else can be read without them), the definition and its lint errors
    /// (a rejected definition never runs), steps that cannot run here, then parameter values.
    public static func prepare(_ request: Request) throws(Refusal) -> RunSession {
        do {
            let product = try Product.locate(from: request.directory)
            let manifest = product.manifest
            var values: [String: Node] = [:]
            var parallelism: Int?
            var pipelineName = manifest?.pipelineName ?? "local-pipeline"
            var context: ProductContext?
            var pins: [String: String] = [:]
            if let name = request.environment {
                let loaded = try ProductContext.load(from: request.directory)
                let environment = try loaded.environment(named: name)
                values = environment.values
                parallelism = environment.parallelism
                pipelineName = environment.pipelineName
                pins = environment.images
                context = loaded
            }
            var document = try product.loadDefinition(request.definition, syntax: .finding)
            let lint = LintOptions(disabled: manifest?.lintDisabled ?? [], disabledForStep: manifest?.lintDisabledForStep ?? [:])
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
            let options = LocalEngine.Options(
                pipelineName: pipelineName, environment: request.environment, definitionPath: document.path, parameters: parameters,
                parallelism: request.parallelism ?? parallelism ?? ProcessInfo.processInfo.activeProcessorCount,
                useCache: request.useCache, productRoot: root, stateDirectory: root + "/.pipeops",
                standIns: manifest?.localSteps ?? [:], fixedOutputs: manifest?.localStepOutputs ?? [:],
                s3Mounts: artifacts.mounts + folders.map { LocalS3.Mount(prefix: $0.prefix, directory: $0.directory) }
                    + (manifest?.localS3 ?? []).map { LocalS3.Mount(prefix: $0.prefix, directory: manifest!.resolve($0.path)) })
            return RunSession(
                request: request, pipeline: pipeline, options: options,
                stateDisplay: DisplayPath(base: request.directory)(root + "/.pipeops"), context: context, artifacts: artifacts)
        } catch let refusal as Refusal {
            throw refusal
        } catch let error as PipeOpsError {
            throw .tool(error)
        } catch {
            throw .tool(.message("\(error)"))
        }
    }

    /// Records a successful run of the request's environment as promotion evidence; nil when
    /// there is nothing to record (no environment, or the run did not succeed).
    public func recordSmokeRun(_ record: ExecutionRecord) throws(PipeOpsError) -> PromotionRecord? {
        guard record.status == .succeeded, let environment = request.environment, let context else { return nil }
        return try Promoter.recordSmokeRun(context, environment: environment, execution: record.id, artifacts: artifacts)
    }
}
