import ArgumentParser
import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsReporting
import PipeOpsWorkspace

/// Flags shared by the commands that talk to SageMaker.
struct AWSOptions: ParsableArguments {
    @Option(name: .customLong("endpoint-url"), help: "SageMaker API endpoint (default: https://api.sagemaker.<region>.amazonaws.com).")
    var endpointURL: String?

    @Option(help: "AWS region (default: the environment file's, then AWS_REGION, AWS_DEFAULT_REGION, the config file).")
    var region: String?

    @Option(help: "Profile in the AWS shared credentials and config files.")
    var profile: String?

    @Flag(name: .shortAndLong, help: "Log every API request (never credentials or signatures).")
    var verbose = false

    func validate() throws {
        if let endpointURL, URL(string: endpointURL)?.scheme == nil {
            throw ValidationError("--endpoint-url must be a URL such as http://127.0.0.1:5000")
        }
    }

    /// An endpoint as the AWS CLI finds it: the flag, then AWS_ENDPOINT_URL_<SERVICE>, then
    /// AWS_ENDPOINT_URL, then the profile's endpoint_url.
    func endpoint(service: String) -> URL? {
        let environment = ProcessInfo.processInfo.environment
        let resolver = AWSConfigResolver(profile: profile)
        let profileSection = resolver.profileName == "default" ? "default" : "profile \(resolver.profileName)"
        let candidates = [
            endpointURL, environment["AWS_ENDPOINT_URL_\(service)"], environment["AWS_ENDPOINT_URL"],
            AWSConfigResolver.ini(resolver.configFile)[profileSection]?["endpoint_url"],
        ]
        return candidates.compactMap { $0 }.first { !$0.isEmpty }.flatMap { URL(string: $0) }
    }

    var s3Endpoint: URL? { endpoint(service: "S3") }

    func client(environmentRegion: String?) throws -> SageMakerClient {
        let resolver = AWSConfigResolver(profile: profile)
        let region = try resolver.region(flag: region, environmentFile: environmentRegion)
        let provider = try CredentialChain(resolver: resolver, region: region).provider()
        let credentials = try provider.credentials()
        var log: (@Sendable (String) -> Void)?
        if verbose {
            log = { message in Terminal.standardError("pipeops: " + message) }
        }
        if verbose { Terminal.standardError("pipeops: using \(credentials) (\(provider.name)) in \(region)") }
        var client = SageMakerClient(
            region: region, credentials: credentials, endpoint: endpoint(service: "SAGEMAKER"), transport: CurlTransport(),
            maxAttempts: 5, log: log)
        client.provider = provider
        return client
    }
}

extension SageMakerClient.CallError {
    var asToolError: PipeOpsError {
        switch self {
        case .service(let error): return .message("SageMaker \(error.code): \(error.message)")
        case .tool(let error): return error
        }
    }
}

extension PipeOps {
    struct Upsert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update the pipeline of an environment on SageMaker.",
            discussion: """
                Sends the request `pipeops render --env ENV` shows: CreatePipeline, or \
                UpdatePipeline when the pipeline exists, then merges tags (existing tags whose \
                keys are not being set are kept), as the SageMaker SDK's upsert does. Definitions \
                over 100 KiB are uploaded to the environment's definitionBucket first.

                Step code first: every file the definition names under a code: prefix of \
                pipeops.yaml is published at its content address (HeadObject, then PutObject for \
                what is missing), so the pipeline never names code that is not there. Environments \
                after the first in promotion order must pin every image by digest (images: in the \
                environment file, or --image).
                """
        )

        @Option(name: .long, help: "Environment from pipeops.yaml.")
        var env: String

        @Option(
            name: .customLong("image"),
            help: ArgumentHelp("Pin an image for this upsert (over the environment's images: map).", valueName: "REPOSITORY@sha256:DIGEST"))
        var images: [String] = []

        @OptionGroup var aws: AWSOptions

        @Flag(help: "Print the CreatePipeline request and the code objects to publish; send nothing.")
        var dryRun = false

        func validate() throws {
            do { _ = try ImagePins.parse(images) } catch { throw ValidationError(error.errorDescription ?? "\(error)") }
        }

        func run() throws {
            let context = try ProductContext.load()
            let environment = try context.environment(named: env)
            try Deployer.requireLintClean(context)
            let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
            let rendered = try Renderer.render(context, environment: environment, version: version, images: try ImagePins.parse(images))
            let unpinned = Promoter.imageFindings(rendered, definitionPath: context.definitionPath)
            if !unpinned.isEmpty { throw PipeOpsError.findings(unpinned) }
            let uploads = rendered.artifacts.uploads + (try PythonDefinition.capturedUploads(context.manifest))
            if dryRun {
                let request = Deployer.createRequest(rendered, token: "<generated per call>", s3Location: nil)
                Terminal.output(CanonicalJSON.string(request, sortKeys: true, pretty: true) + "\n")
                for upload in uploads { Terminal.standardError("would publish \(upload.uri) (if missing)") }
                Terminal.standardError(
                    "dry run: \(uploads.count) code object\(uploads.count == 1 ? "" : "s") to check; CreatePipeline (or UpdatePipeline + tags) not sent"
                )
                return
            }
            let client = try aws.client(environmentRegion: environment.region)
            try publishCode(uploads, client: client, aws: aws)
            do {
                let result = try Deployer.upsert(
                    rendered, client: client, definitionBucket: environment.definitionBucket,
                    s3Endpoint: aws.s3Endpoint)
                Terminal.output(
                    "\(result.created ? "created" : "updated") \(result.pipelineArn)\(result.versionId.map { " (version \($0))" } ?? "") · \(result.tags.count) tags · definition \(result.definitionLocation) · structure \(rendered.hashes.structure.prefix(12)) · code \(rendered.artifacts.sha256.prefix(12))\n"
                )
            } catch {
                throw error.asToolError
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an execution on SageMaker with the environment's parameters.",
            discussion: """
                Parameters: the environment's values, then --param (checked against the \
                definition's types and EnumValues before anything is sent). With --wait, follows \
                the execution and its steps until it ends: exit 0 Succeeded, 1 Failed or Stopped. \
                Ctrl-C while waiting asks whether to stop the execution (on a terminal) or leaves \
                it running.

                Evidence: when a waited-for execution Succeeds with the environment's own \
                parameters, pipeops fetches the definition SageMaker ran \
                (DescribePipelineDefinitionForExecution; where that call is unavailable, the \
                pipeline's definition read just before the start), checks that it is exactly this \
                commit's rendering (structure, code and images), and records a smoke record of kind \
                sagemaker (execution ARN, account, region) that promote accepts, also where \
                pipeops.yaml sets requireEvidence: sagemaker.
                """
        )

        @Option(name: .long, help: "Environment from pipeops.yaml.")
        var env: String

        @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter.", valueName: "NAME=VALUE"))
        var params: [String] = []

        @Flag(help: "Wait for the execution to end, showing its steps.")
        var wait = false

        @Option(
            help: ArgumentHelp(
                "Run only these steps (SelectiveExecutionConfig); the others' results come from --source-execution.",
                valueName: "STEP,STEP,…"))
        var select: String?

        @Option(
            name: .customLong("source-execution"),
            help: ArgumentHelp(
                "The execution (ARN) unselected steps' results come from (default: the newest that Succeeded or Failed).", valueName: "ARN")
        )
        var sourceExecution: String?

        @Option(name: .customLong("poll-interval"), help: "Seconds between status checks with --wait.")
        var pollInterval: Double = 10

        @Flag(help: "Start even when pipeops.yaml marks the environment execute: false (e.g. prod).")
        var force = false

        @Option(
            name: .customLong("image"),
            help: ArgumentHelp(
                "An image the pipeline was upserted with (--image of upsert), for the evidence check.",
                valueName: "REPOSITORY@sha256:DIGEST"))
        var images: [String] = []

        @OptionGroup var aws: AWSOptions

        func validate() throws {
            do { _ = try RunParameters.assignments(params) } catch { throw ValidationError(error.errorDescription ?? "") }
            do { _ = try ImagePins.parse(images) } catch { throw ValidationError(error.errorDescription ?? "\(error)") }
            if pollInterval <= 0 { throw ValidationError("--poll-interval must be positive") }
        }

        func run() throws {
            let context = try ProductContext.load()
            let environment = try context.environment(named: env)
            try Deployer.requireLintClean(context)
            if !environment.execute && !force {
                throw PipeOpsError.invalidArgument(
                    "pipeops.yaml marks '\(env)' execute: false (upserted, never executed by CI); pass --force to start it anyway")
            }
            let overrides = try RunParameters.assignments(params)
            let parameters = try RunParameters.resolve(context.pipeline, environment: environment.values, overrides: overrides)
            let selectedSteps = select.map {
                $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            let needsSource = try selectedSteps.map { steps throws(PipeOpsError) in try Deployer.checkSelection(steps, in: context.pipeline)
            }
            let client = try aws.client(environmentRegion: environment.region)
            var selective: Deployer.Selective?
            if let selectedSteps {
                do {
                    let source =
                        needsSource == true || sourceExecution != nil
                        ? try Deployer.sourceExecution(sourceExecution, pipelineName: environment.pipelineName, client: client) : nil
                    selective = Deployer.Selective(steps: selectedSteps, sourceExecutionArn: source)
                } catch {
                    throw error.asToolError
                }
            }
            let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
            let display = "pipeops-\(env)-\(version?.shortCommit ?? "local")".map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
            var startDefinition: String?
            if wait {
                // The fallback evidence: the pipeline's definition right before the start.
                startDefinition = try? client.call(
                    "DescribePipeline", Node(object: [("PipelineName", Node(.string(environment.pipelineName)))]))["PipelineDefinition"]?
                    .string
            }
            // Ctrl-C while the start request is out waits for its answer (or the lookup of the
            // execution it started): the ARN is printed either way, so a rerun never starts a second one.
            let interrupted = InterruptFlag()
            let watcher = SignalWatcher { interrupted.set() }
            defer { watcher.cancel() }
            let arn: String
            do {
                arn = try Deployer.start(
                    pipelineName: environment.pipelineName, parameters: parameters, parallelism: environment.parallelism,
                    displayName: String(String(display).prefix(82)), client: client, selective: selective)
            } catch {
                throw error.asToolError
            }
            Terminal.output("\(arn)\n")
            if interrupted.isSet && !wait {
                Terminal.standardError("pipeops: interrupted; the execution above was started and keeps running")
                throw ExitCode(130)
            }
            guard wait else { return }
            let outcome: ExecutionWatcher.Outcome
            do {
                outcome = try ExecutionWatcher(arn: arn, client: client, interval: pollInterval).watch(isInterrupted: { interrupted.isSet })
                { event in
                    switch event {
                    case .stepsUnavailable(let reason):
                        Terminal.standardError(
                            "pipeops: note: step details are unavailable (\(reason.prefix(120))); following the execution status only")
                    case .unreachable(let reason, let delay, let outage):
                        Terminal.standardError(
                            "pipeops: note: no answer from SageMaker (\(reason.prefix(160))); polling again in \(Int(delay)) s (failing for \(Int(outage)) s)"
                        )
                    case .step(let name, let status, let reason):
                        Terminal.output(
                            "  \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(name)\(reason.map { ": \($0)" } ?? "")\n")
                    }
                }
            } catch {
                throw error.asToolError
            }
            switch outcome {
            case .finished(let state):
                Terminal.output("execution \(state.status)\(state.failureReason.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")\n")
                if !state.steps.isEmpty && state.status != "Succeeded" {
                    for step in state.steps where step.status == "Failed" {
                        Terminal.output("failed step \(step.name): \(step.failureReason ?? "")\n")
                    }
                }
                if state.status == "Succeeded" && selective != nil {
                    Terminal.standardError("pipeops: note: a selective execution ran part of the pipeline: it is not recorded as evidence")
                    return
                }
                if state.status == "Succeeded" {
                    try recordEvidence(
                        context, environment: environment, arn: arn, client: client, version: version, startDefinition: startDefinition,
                        overridden: !overrides.isEmpty)
                    return
                }
                throw ExitCode(1)
            case .interrupted:
                if isatty(STDIN_FILENO) == 1 {
                    Terminal.standardError("stop the execution \(arn)? [y/N] ")
                    if let answer = readLine(), answer.lowercased().hasPrefix("y") {
                        do { try Deployer.stop(arn, client: client) } catch { throw error.asToolError }
                        Terminal.output("stop requested; the execution ends as Stopped\n")
                    }
                } else {
                    Terminal.standardError(
                        "pipeops: stopped waiting; the execution keeps running (aws sagemaker stop-pipeline-execution --pipeline-execution-arn \(arn))"
                    )
                }
                throw ExitCode(130)
            }
        }
    }
}

/// Publishes code objects before a pipeline names them (upsert, promote --upsert), with progress.
func publishCode(_ uploads: [CodeUpload], client: SageMakerClient, aws: AWSOptions) throws {
    guard !uploads.isEmpty else { return }
    let s3 = S3Client(sageMaker: client, endpoint: aws.s3Endpoint)
    let progress = Progress(label: "publishing code")
    let published = try Deployer.publish(uploads, s3: s3) { index, total, upload in
        progress.update("\(index)/\(total) \(upload.key)")
    }
    progress.finish()
    Terminal.output(
        "code: \(uploads.count) object\(uploads.count == 1 ? "" : "s") at their content address, \(published.uploaded.count) uploaded, \(published.present.count) already there\n"
    )
}

extension PipeOps.Start {
    /// Records the succeeded execution as evidence when SageMaker ran exactly this commit's
    /// rendering of the environment; says why not otherwise.
    func recordEvidence(
        _ context: ProductContext, environment: ResolvedEnvironment, arn: String, client: SageMakerClient, version: VersionInfo?,
        startDefinition: String?, overridden: Bool
    ) throws {
        guard let version else {
            Terminal.standardError("pipeops: note: not in a git repository: the execution is not recorded as evidence")
            return
        }
        if overridden {
            Terminal.standardError("pipeops: note: --param changed the environment's parameters: the execution is not recorded as evidence")
            return
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
                Terminal.standardError(
                    "pipeops: warning: cannot read the definition the execution ran (\(error.description)); not recorded as evidence")
                throw ExitCode(1)
            }
            ran = startDefinition
            source = "the pipeline's definition at start time (DescribePipelineDefinitionForExecution: \(error.description.prefix(100)))"
        }
        guard let root = try? DocumentLoader.parse(data: Data(ran.utf8), path: "definition", syntax: .json).root else {
            Terminal.standardError("pipeops: warning: the definition SageMaker ran (\(source)) is not JSON; not recorded as evidence")
            throw ExitCode(1)
        }
        let hash = DefinitionHashes(root: root).content
        guard hash == rendered.hashes.content else {
            Terminal.standardError(
                "pipeops: warning: SageMaker ran definition sha256:\(hash.prefix(12)), not this commit's rendering of \(environment.name) (sha256:\(rendered.hashes.content.prefix(12))); was the pipeline upserted from \(version.shortCommit)? run 'pipeops upsert --env \(environment.name)' and start again; not recorded as evidence"
            )
            throw ExitCode(1)
        }
        let record = try Promoter.recordSageMakerRun(context, rendered: rendered, executionArn: arn, version: version)
        Terminal.output(
            "evidence: SageMaker ran structure \(record.structureSha256.prefix(12)) with code \((record.codeSha256 ?? "").prefix(12)) in \(record.account ?? "?")/\(record.region ?? "?") (checked with \(source)); recorded in \(Ledger.notesRef) on \(record.commit.prefix(7))\n"
        )
    }
}

final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
