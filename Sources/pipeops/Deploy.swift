import ArgumentParser
import Foundation
import PipeOpsApp
import PipeOpsModel

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

    /// The flags as the use cases take them.
    var settings: AWSSettings {
        var log: (@Sendable (String) -> Void)?
        if verbose { log = { message in Terminal.standardError("pipeops: " + message) } }
        return AWSSettings(endpointURL: endpointURL, region: region, profile: profile, log: log)
    }
}

/// Prints the publishing progress and summary of `upsert` and `promote --upsert`.
func printPublished(_ summary: UpsertUseCase.PublishSummary?, progress: Progress) {
    progress.finish()
    guard let summary else { return }
    Terminal.output(
        "code: \(summary.total) object\(summary.total == 1 ? "" : "s") at their content address, \(summary.uploaded) uploaded, \(summary.present) already there\n"
    )
}

extension PipeOps {
    struct Upsert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upsert",
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

        @OptionGroup var selection: PipelineOption

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
            let progress = Progress(label: "publishing code")
            let result = try UpsertUseCase.run(
                UpsertUseCase.Options(environment: env, images: images, dryRun: dryRun, aws: aws.settings, workspace: selection.workspace)
            ) { index, total, key in progress.update("\(index)/\(total) \(key)") }
            if let request = result.dryRunRequest {
                Terminal.output(request + "\n")
                for upload in result.uploads { Terminal.standardError("would publish \(upload) (if missing)") }
                Terminal.standardError(
                    "dry run: \(result.uploads.count) code object\(result.uploads.count == 1 ? "" : "s") to check; CreatePipeline (or UpdatePipeline + tags) not sent"
                )
                return
            }
            printPublished(result.published, progress: progress)
            if let upsert = result.upsert {
                Terminal.output(
                    "\(upsert.created ? "created" : "updated") \(upsert.pipelineArn)\(upsert.versionId.map { " (version \($0))" } ?? "") · \(upsert.tags.count) tags · definition \(upsert.definitionLocation) · structure \(result.structureSha256.prefix(12)) · code \(result.codeSha256.prefix(12))\n"
                )
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
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

        @OptionGroup var selection: PipelineOption

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

        @Flag(
            help:
                "Start only what changed since the environment's last succeeded SageMaker execution in the ledger (and everything downstream), as a selective execution with that execution as the source."
        )
        var changed = false

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
            do { _ = try Assignments.parse(params) } catch { throw ValidationError(error.errorDescription ?? "") }
            do { _ = try ImagePins.parse(images) } catch { throw ValidationError(error.errorDescription ?? "\(error)") }
            if pollInterval <= 0 { throw ValidationError("--poll-interval must be positive") }
            if changed && (select != nil || sourceExecution != nil) {
                throw ValidationError("--changed selects the steps and the source itself; drop --select/--source-execution")
            }
        }

        func run() throws {
            var options = StartUseCase.Options(environment: env)
            options.parameters = params
            options.wait = wait
            options.select = select.map {
                $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            options.sourceExecution = sourceExecution
            options.changed = changed
            options.pollInterval = pollInterval
            options.force = force
            options.images = images
            options.aws = aws.settings
            options.workspace = selection.workspace
            // Ctrl-C while the start request is out waits for its answer (or the lookup of the
            // execution it started): the ARN is printed either way, so a rerun never starts a second one.
            let interrupted = InterruptFlag()
            let watcher = SignalWatcher { interrupted.set() }
            defer { watcher.cancel() }
            let outcome = try StartUseCase.run(options, isInterrupted: { interrupted.isSet }) { event in
                switch event {
                case .started(let arn): Terminal.output("\(arn)\n")
                case .note(let note): Terminal.standardError("pipeops: note: " + note)
                case .step(let name, let status, let reason):
                    Terminal.output(
                        "  \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(name)\(reason.map { ": \($0)" } ?? "")\n")
                }
            }
            switch outcome {
            case .started:
                if interrupted.isSet {
                    Terminal.standardError("pipeops: interrupted; the execution above was started and keeps running")
                    throw ExitCode(130)
                }
            case .finished(_, let state, let evidence):
                Terminal.output("execution \(state.status)\(state.failureReason.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")\n")
                if !state.steps.isEmpty && state.status != "Succeeded" {
                    for step in state.steps where step.status == "Failed" {
                        Terminal.output("failed step \(step.name): \(step.failureReason ?? "")\n")
                    }
                }
                switch evidence {
                case .recorded(let line)?: Terminal.output(line + "\n")
                case .notRecorded(let why, let failing)?:
                    Terminal.standardError("pipeops: \(failing ? "warning" : "note"): " + why)
                    if failing { throw ExitCode(1) }
                case nil: throw ExitCode(1)
                }
            case .unchanged:
                return
            case .interrupted(let arn):
                if isatty(STDIN_FILENO) == 1 {
                    Terminal.standardError("stop the execution \(arn)? [y/N] ")
                    if let answer = readLine(), answer.lowercased().hasPrefix("y") {
                        try StartUseCase.stop(arn, environment: env, options: options)
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

final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
