import Foundation
import PipeOpsAWS
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops start`: an execution with the environment's parameters, optionally followed to its
/// end; a succeeded execution of exactly this commit's rendering is recorded as evidence.
public enum StartUseCase {
    public struct Options: Sendable {
        public var environment: String
        public var parameters: [String] = []
        public var wait = false
        public var select: [String]?
        public var sourceExecution: String?
        /// `--changed`: select what changed since the environment's last recorded SageMaker run.
        public var changed = false
        public var pollInterval: Double = 10
        public var force = false
        public var images: [String] = []
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(environment: String) { self.environment = environment }
    }

    public enum Event: Sendable {
        case started(arn: String)
        case step(name: String, status: String, failureReason: String?)
        case note(String)
    }

    public enum Evidence: Sendable {
        /// Recorded: the line that says what and where.
        case recorded(String)
        /// Not recorded, and why; `failing` makes the command fail (a mismatch, an unreadable definition).
        case notRecorded(String, failing: Bool)
    }

    public enum Outcome: Sendable {
        /// Started, not waited for.
        case started(arn: String)
        case finished(arn: String, state: PipelineExecutionState, evidence: Evidence?)
        /// Interrupted while waiting; the execution keeps running unless `stop` is called.
        case interrupted(arn: String)
        /// `--changed` found nothing changed since `source`: nothing was started.
        case unchanged(source: String)
    }

    /// Starts (and with `wait`, follows) an execution. `isInterrupted` is polled while waiting.
    public static func run(_ options: Options, isInterrupted: @escaping () -> Bool, onEvent: (Event) -> Void) throws(PipeOpsError)
        -> Outcome
    {
        let context = try options.workspace.context()
        let environment = try context.environment(named: options.environment)
        try Deployer.requireLintClean(context)
        if !environment.execute && !options.force {
            throw PipeOpsError.invalidArgument(
                "pipeops.yaml marks '\(options.environment)' execute: false (upserted, never executed by CI); pass --force to start it anyway"
            )
        }
        let overrides = try Assignments.parse(options.parameters)
        let parameters = try RunParameters.resolve(context.pipeline, environment: environment.values, overrides: overrides)
        var options = options
        if options.changed {
            let changed = try changedSelection(context, environment: environment)
            if changed.steps.isEmpty {
                onEvent(.note("--changed: nothing changed since execution \(changed.source); nothing was started"))
                return .unchanged(source: changed.source)
            }
            for (step, why) in changed.reasons { onEvent(.note("--changed: \(step) runs: \(why)")) }
            if changed.everything {
                onEvent(.note("--changed: every step changed; a full execution"))
            } else {
                options.select = changed.steps
                options.sourceExecution = changed.source
                onEvent(.note("--changed: the other steps take their results from \(changed.source)"))
            }
        }
        let needsSource = try options.select.map { steps throws(PipeOpsError) in try Deployer.checkSelection(steps, in: context.pipeline) }
        let session = try options.aws.connect(environmentRegion: environment.region)
        let client = session.client
        var selective: Deployer.Selective?
        if let steps = options.select {
            do {
                let source =
                    needsSource == true || options.sourceExecution != nil
                    ? try Deployer.sourceExecution(options.sourceExecution, pipelineName: environment.pipelineName, client: client) : nil
                selective = Deployer.Selective(steps: steps, sourceExecutionArn: source)
            } catch {
                throw error.asToolError
            }
        }
        let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        let display = "pipeops-\(options.environment)-\(version?.shortCommit ?? "local")".map {
            $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-"
        }
        // The fallback evidence: the pipeline's definition right before the start.
        let startDefinition = options.wait ? ((try? Deployer.deployedDefinition(environment.pipelineName, client: client)) ?? nil) : nil
        let arn: String
        do {
            arn = try Deployer.start(
                pipelineName: environment.pipelineName, parameters: parameters, parallelism: environment.parallelism,
                displayName: String(String(display).prefix(82)), client: client, selective: selective)
        } catch {
            throw error.asToolError
        }
        onEvent(.started(arn: arn))
        guard options.wait else { return .started(arn: arn) }
        let outcome: ExecutionWatcher.Outcome
        do {
            outcome = try ExecutionWatcher(arn: arn, client: client, interval: options.pollInterval).watch(isInterrupted: isInterrupted) {
                event in
                switch event {
                case .stepsUnavailable(let reason):
                    onEvent(.note("step details are unavailable (\(reason.prefix(120))); following the execution status only"))
                case .unreachable(let reason, let delay, let outage):
                    onEvent(
                        .note(
                            "no answer from SageMaker (\(reason.prefix(160))); polling again in \(Int(delay)) s (failing for \(Int(outage)) s)"
                        ))
                case .step(let name, let status, let reason): onEvent(.step(name: name, status: status, failureReason: reason))
                }
            }
        } catch {
            throw error.asToolError
        }
        switch outcome {
        case .interrupted: return .interrupted(arn: arn)
        case .finished(let state):
            guard state.status == "Succeeded" else { return .finished(arn: arn, state: state, evidence: nil) }
            if selective != nil {
                return .finished(
                    arn: arn, state: state,
                    evidence: .notRecorded("a selective execution ran part of the pipeline: it is not recorded as evidence", failing: false)
                )
            }
            let evidence = try recordEvidence(
                context, environment: environment, arn: arn, client: client, version: version, startDefinition: startDefinition,
                overridden: !overrides.isEmpty, images: options.images)
            return .finished(arn: arn, state: state, evidence: evidence)
        }
    }

    /// Asks SageMaker to stop an execution (it ends as Stopped).
    public static func stop(_ arn: String, environment: String, options: Options) throws(PipeOpsError) {
        let context = try options.workspace.context()
        let resolved = try context.environment(named: environment)
        let session = try options.aws.connect(environmentRegion: resolved.region)
        do { try Deployer.stop(arn, client: session.client) } catch { throw error.asToolError }
    }

    /// Records the succeeded execution as evidence when SageMaker ran exactly this commit's
    /// rendering of the environment; says why not otherwise.
    static func recordEvidence(
        _ context: ProductContext, environment: ResolvedEnvironment, arn: String, client: SageMakerClient, version: VersionInfo?,
        startDefinition: String?, overridden: Bool, images: [String]
    ) throws(PipeOpsError) -> Evidence {
        guard let version else { return .notRecorded("not in a git repository: the execution is not recorded as evidence", failing: false) }
        if overridden {
            return .notRecorded("--param changed the environment's parameters: the execution is not recorded as evidence", failing: false)
        }
        let rendered = try Renderer.render(context, environment: environment, version: version, images: try ImagePins.parse(images))
        let ran: String
        let source: String
        do throws(SageMakerClient.CallError) {
            let answer = try client.call(
                "DescribePipelineDefinitionForExecution", Node(object: [("PipelineExecutionArn", Node(.string(arn)))]))
            guard let text = answer["PipelineDefinition"]?.string else {
                throw SageMakerClient.CallError.tool(.message("DescribePipelineDefinitionForExecution returned no PipelineDefinition"))
            }
            ran = text
            source = "DescribePipelineDefinitionForExecution"
        } catch {
            guard let startDefinition else {
                return .notRecorded(
                    "cannot read the definition the execution ran (\(error.description)); not recorded as evidence", failing: true)
            }
            ran = startDefinition
            source = "the pipeline's definition at start time (DescribePipelineDefinitionForExecution: \(error.description.prefix(100)))"
        }
        guard let root = try? DocumentLoader.parse(data: Data(ran.utf8), path: "definition", syntax: .json).root else {
            return .notRecorded("the definition SageMaker ran (\(source)) is not JSON; not recorded as evidence", failing: true)
        }
        let hash = DefinitionHashes(root: root).content
        guard hash == rendered.hashes.content else {
            return .notRecorded(
                "SageMaker ran definition sha256:\(hash.prefix(12)), not this commit's rendering of \(environment.name) (sha256:\(rendered.hashes.content.prefix(12))); was the pipeline upserted from \(version.shortCommit)? run 'pipeops upsert --env \(environment.name)' and start again; not recorded as evidence",
                failing: true)
        }
        let record = try Promoter.recordSageMakerRun(context, rendered: rendered, executionArn: arn, version: version)
        return .recorded(
            "evidence: SageMaker ran structure \(record.structureSha256.prefix(12)) with code \((record.codeSha256 ?? "").prefix(12)) in \(record.account ?? "?")/\(record.region ?? "?") (checked with \(source)); recorded in \(Ledger.notesRef) on \(record.commit.prefix(7))"
        )
    }
}
