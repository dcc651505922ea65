import ArgumentParser
import Foundation
import PipeOpsKit

extension LintFormat: ExpressibleByArgument {}

extension PipeOps {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
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
                """
        )

        @Argument(help: "Definition files (JSON or YAML). Default: the manifest's definition and environments.")
        var files: [String] = []

        @Option(help: "Output format: \(LintFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        var format: LintFormat = .text

        @Option(name: .customLong("property-sample"), help: ArgumentHelp("What a property file contains, for JsonGet path checks.", valueName: "NAME=FILE"))
        var propertySamples: [String] = []

        @Flag(help: "Fail (exit 1) on warnings too.")
        var strict = false

        @Flag(name: .shortAndLong, help: "Do not print the summary line on stderr.")
        var quiet = false

        func validate() throws {
            for sample in propertySamples where !sample.contains("=") || sample.hasPrefix("=") || sample.hasSuffix("=") {
                throw ValidationError("--property-sample takes NAME=FILE (the PropertyFileName and a JSON sample), not '\(sample)'")
            }
        }

        func run() throws {
            let samples = propertySamples.map { entry -> (name: String, path: String) in
                let parts = entry.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]))
            }
            let report = try LintSession.run(LintRequest(files: files, propertySamples: samples))
            Terminal.output(LintReporter.render(report, as: format, options: ReportOptions(colored: format == .text && Terminal.colorAllowed)))
            if !quiet && format == .text {
                Terminal.standardError(LintReporter.summary(report))
            }
            if report.failed(strict: strict) { throw ExitCode(1) }
        }
    }
}
