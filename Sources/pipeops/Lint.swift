import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension LintFormat: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

extension PipeOps {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check definitions before anything is uploaded.",
            discussion: """
                With no FILE, lints the manifest's definition, pipeops.yaml itself and every \
                environment file. Findings print as `path:line:col: severity: message [rule]`.

                Formats: text (default), json (the documented contract), sarif (GitHub code \
                scanning), github (workflow annotations). `pipeops rules` lists the rules; \
                silence one with lint.disable in pipeops.yaml or `# pipeops: disable=RULE`.

                Examples:
                  pipeops lint
                  pipeops lint pipeline/definition.json --format sarif > lint.sarif
                  pipeops lint --property-sample EvaluationReport=tests/fixtures/evaluation.json

                The SageMaker API model: step Arguments, property paths and step types are \
                checked against botocore's model as of the release built into pipeops (`pipeops \
                doctor` names it). Something the model does not know is a warning, never an \
                error. A Python definition compiled with a newer botocore is checked against that \
                botocore's model (read once, cached under ~/.cache/pipeops/api-models); for JSON \
                or YAML, pass --api-model FILE.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Argument(help: "Definition files (JSON or YAML). Default: the manifest's definition and environments.")
        var files: [String] = []

        @Option(help: "Output format: \(LintFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: LintFormat = .text

        @Option(
            name: .customLong("property-sample"),
            help: ArgumentHelp("What a property file contains, for JsonGet path checks.", valueName: "NAME=FILE"))
        var propertySamples: [String] = []

        @Option(
            name: .customLong("api-model"),
            help: ArgumentHelp(
                "Check against this SageMaker API model instead of the one built in (make it with scripts/gen-shapes.py --json where a newer botocore is installed).",
                valueName: "FILE"))
        var apiModel: String?

        @Flag(help: "Fail (exit 1) on warnings too.")
        var strict = false

        @Flag(name: .shortAndLong, help: "Do not print the summary line on stderr.")
        var quiet = false

        func validate() throws {
            let parsed: [(name: String, value: String)]
            do { parsed = try Assignments.parse(propertySamples, option: "--property-sample") } catch {
                throw ValidationError("\(error.errorDescription ?? ""); NAME is the PropertyFileName and FILE a JSON sample")
            }
            if let empty = parsed.first(where: { $0.value.isEmpty }) {
                throw ValidationError("--property-sample takes NAME=FILE (the PropertyFileName and a JSON sample), not '\(empty.name)='")
            }
        }

        func run() throws {
            let samples = try Assignments.parse(propertySamples, option: "--property-sample").map {
                (name: $0.name, path: $0.value)
            }
            let report = try LintUseCase.run(files: files, propertySamples: samples, apiModel: apiModel, pipeline: selection.pipeline)
            Terminal.output(
                LintReporter.render(report, as: format, options: ReportOptions(colored: format == .text && Terminal.colorAllowed)))
            if !quiet && format == .text {
                Terminal.standardError(LintReporter.summary(report))
            }
            if report.failed(strict: strict) { throw ExitCode(1) }
        }
    }
}
