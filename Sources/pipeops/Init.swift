import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension CIFlavour: ExpressibleByArgument {}

extension PipeOps {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Scaffold a pipeline-as-product repository that lints and runs on day one.",
            discussion: """
                Writes pipeops.yaml, the pipeline definition, step scripts, three environments, \
                tests, a Dockerfile, CloudFormation for the role, bucket, schedule and alarms, and \
                GitHub workflows. Nothing is overwritten without --force: existing files are \
                reported and nothing is written.

                Example:
                  pipeops init churn-model --name churn-model --account 123456789012 --region eu-west-1
                  cd churn-model && pipeops lint && pipeops run --env dev
                """
        )

        @Argument(help: "Folder to scaffold into (created if missing; default: the current folder).")
        var directory: String = "."

        @Option(help: "SageMaker pipeline name (letters, digits and hyphens).")
        var name: String?

        @Option(help: "Template to use (see --list-templates).")
        var template: String = "default"

        @Option(help: "S3 bucket for code, data and outputs (default: <name>-artifacts).")
        var bucket: String?

        @Option(help: "AWS account id (default: the placeholder 111111111111).")
        var account: String?

        @Option(help: "AWS region (default: us-east-1).")
        var region: String?

        @Option(
            help: ArgumentHelp(
                "The CI to write files for: github (workflows), gitlab (.gitlab-ci.yml) or codebuild (buildspecs and a CodePipeline in infra/cicd.yaml).",
                valueName: "github|gitlab|codebuild"))
        var ci: CIFlavour = .github

        @Flag(help: "List the templates and exit.")
        var listTemplates = false

        @Flag(help: "Print the files that would be written; write nothing.")
        var dryRun = false

        @Flag(help: "Overwrite existing files.")
        var force = false

        func validate() throws {
            if !listTemplates && name == nil {
                throw ValidationError("--name is required (the SageMaker pipeline name, e.g. --name churn-model)")
            }
        }

        func run() throws {
            if listTemplates {
                for template in Scaffolder.templates {
                    Terminal.output("\(template.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(template.description)\n")
                }
                return
            }
            guard let name else { return }
            var request = Scaffolder.Request(
                directory: directory, name: name, template: template, bucket: bucket, account: account, region: region)
            request.ci = ci
            let plan = try Scaffolder.plan(request)
            if dryRun {
                for file in plan.files {
                    Terminal.output("\(file.exists ? (force ? "overwrite" : "conflict ") : "create   ") \(file.relativePath)\n")
                }
                Terminal.standardError("dry run: \(plan.files.count) files, \(plan.conflicts.count) already exist; nothing was written")
                return
            }
            try Scaffolder.write(plan, force: force)
            for file in plan.files { Terminal.output("\(file.exists ? "overwrote" : "created  ") \(file.relativePath)\n") }
            var next = "\nnext: cd \(directory) && git init && pipeops lint && pipeops run --env dev"
            if account == nil {
                next += "\nnote: the AWS account id is the placeholder 111111111111; pass --account or edit the files before deploying"
            }
            Terminal.standardError(next)
        }
    }
}
