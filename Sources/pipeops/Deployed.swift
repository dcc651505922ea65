import ArgumentParser
import Foundation
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension DeploymentReport.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show what 'upsert --env ENV' would change on SageMaker, read from the account.",
            discussion: """
                Reads the deployed pipeline (DescribePipeline, ListTags) and compares it with \
                the environment's rendering: per step the fields added, removed and changed \
                (old → new), parameters, role, parallelism, display name and description, the \
                tags upsert sets, the code objects it would publish (HeadObject at their content \
                address) and the images. Nothing is changed. --format markdown is for a pull \
                request comment. Exit codes: 0 no changes, 1 changes, 2 errors.

                The scheduler's waves, which 'plan' printed before, are 'pipeops graph --waves'.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Environment name from pipeops.yaml.")
        var env: String?

        @Option(help: "Output format: text, json or markdown.")
        var format: DeploymentReport.Format = .text

        @Option(
            name: .customLong("image"),
            help: ArgumentHelp("Pin an image (over the environment's images: map).", valueName: "REPOSITORY@sha256:DIGEST"))
        var images: [String] = []

        @Option(help: "Gone: the parallelism check is 'pipeops graph --waves --parallelism N'.")
        var parallelism: Int?

        @OptionGroup var aws: AWSOptions

        func run() throws {
            guard let env, parallelism == nil else {
                throw ValidationError(
                    "plan now shows what upsert would change on SageMaker (pipeops plan --env ENV); the scheduler's waves moved to 'pipeops graph --waves\(env.map { " --env \($0)" } ?? "")\(parallelism.map { " --parallelism \($0)" } ?? "")'"
                )
            }
            var options = PlanUseCase.Options(environment: env)
            options.images = images
            options.aws = aws.settings
            options.workspace = selection.workspace
            let result = try PlanUseCase.run(options)
            Terminal.output(DeploymentReport.plan(result, as: format))
            if result.hasChanges { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show, per environment, what is deployed, what was promoted there, HEAD, the latest executions, and drift.",
            discussion: """
                Deployed: the pipeline's ARN, the commit, version and hashes its pipeops:* tags \
                name. Promoted: the ledger's latest promotion to the environment \
                (refs/notes/pipeops). HEAD: what upsert would deploy now. Drift: the deployed \
                definition, role, parallelism or tags differ from the rendering of the commit \
                its own stamp names (edited outside git: Studio, boto3, the console), named \
                field by field; said apart when that commit is not the release the ledger \
                records. Exit codes: 0 no drift, 1 drift, 2 errors.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Only this environment (default: every environment).")
        var env: String?

        @Option(help: "How many of the latest executions to show per environment.")
        var executions = 3

        @Option(help: "Output format: text or json.")
        var format: DeploymentReport.Format = .text

        @OptionGroup var aws: AWSOptions

        func run() throws {
            var options = StatusUseCase.Options(environment: env)
            options.executions = executions
            options.aws = aws.settings
            options.workspace = selection.workspace
            let result = try StatusUseCase.run(options)
            Terminal.output(DeploymentReport.status(result, as: format))
            if result.drifted { throw ExitCode(1) }
        }
    }
}

extension PipeOps {
    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "why",
            abstract: "Say why an execution failed: the failing steps, their reasons, their jobs' logs, and where they are defined.",
            discussion: """
                A SageMaker execution (its ARN, or with --env the environment's latest failed \
                execution): the failed steps from ListPipelineExecutionSteps with their \
                FailureReason, the training, processing or transform job behind each \
                (Describe*Job) and the last lines of its CloudWatch log streams \
                (/aws/sagemaker/TrainingJobs, ProcessingJobs, TransformJobs), Lambda and \
                Callback outputs, the attempts and cache facts, the step's line in the product's \
                definition and the release that ran it. A local execution id (pipeops \
                executions list) gives the same for a local run, with its stderr.log.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Argument(help: "An execution ARN, or a local execution id (default with --env: its latest failed execution).")
        var execution: String?

        @Option(name: .long, help: "Environment whose latest failed execution to explain.")
        var env: String?

        @Option(help: "Log lines per step.")
        var lines = 20

        @Option(help: "Output format: text or json.")
        var format: DeploymentReport.Format = .text

        @OptionGroup var aws: AWSOptions

        func validate() throws {
            if execution == nil && env == nil { throw ValidationError("name an execution (ARN or local id) or --env ENV") }
            guard lines > 0, lines <= 10_000 else { throw ValidationError("--lines must be between 1 and 10000") }
        }

        func run() throws {
            var options = WhyUseCase.Options(execution: execution, environment: env)
            options.logLines = lines
            options.aws = aws.settings
            options.workspace = selection.workspace
            let result = try WhyUseCase.run(options)
            Terminal.output(DeploymentReport.why(result, as: format == .markdown ? .text : format))
        }
    }
}
