import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Adopt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Bring an existing pipeline repository under pipeops, changing none of its files.",
            discussion: """
                Finds the pipeline as the repository writes it: SageMaker Projects seed code (the \
                module and --kwargs its buildspec passes to run-pipeline), a Python file with \
                get_pipeline, another builder function (create_…pipeline) or a builder class, a \
                script that builds its Pipeline at module level, a committed definition JSON, or \
                a definition embedded in Terraform (a heredoc or file(...) of an \
                aws_sagemaker_pipeline) or CloudFormation (PipelineDefinitionBody), written out \
                to a new file. Several pipelines become one product with pipelines:. \
                Writes pipeops.yaml and environments/dev|staging|prod.yaml and prints what it \
                inferred and what a person must still decide (role ARNs, accounts, buckets, the \
                compile venv). A file that exists already is never overwritten.

                Example:
                  cd my-sagemaker-project && pipeops adopt && pipeops compile && pipeops lint
                """
        )

        @Argument(help: "The repository's root (default: the current folder).")
        var directory: String = "."

        @Option(help: "SageMaker pipeline name (default: the buildspec's pipeline_name, else the folder's name).")
        var name: String?

        @Option(
            help: ArgumentHelp(
                "Also write pipeops's CI for github, gitlab or codebuild (the repository's own CI is kept; a file that exists is never overwritten).",
                valueName: "github|gitlab|codebuild"))
        var ci: CIFlavour?

        func run() throws {
            let root = URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                .standardizedFileURL.path
            let result = try Adopter.adopt(root, name: name, ci: ci)
            Terminal.output("found \(result.found.count) pipeline\(result.found.count == 1 ? "" : "s"):\n")
            for found in result.found { Terminal.output("  \(found.definition)  (\(found.how))\n") }
            Terminal.output("wrote \(result.written.joined(separator: ", "))\n")
            if let ci { Terminal.output("CI: \(ci.summary)\n") }
            Terminal.output("still to decide:\n")
            for item in result.decide { Terminal.output("  - \(item)\n") }
            Terminal.output(
                "next: pipeops compile && pipeops lint\(result.pipelines > 1 ? " (both cover every pipeline; render, run and upsert take --pipeline)" : "")\n"
            )
        }
    }
}
