import ArgumentParser
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsReporting
import PipeOpsWorkspace

extension RuleDocs.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every lint rule with its documentation.",
            discussion: "The same descriptions feed SARIF rule metadata and docs/rules.md (pipeops rules --format markdown)."
        )

        @Option(help: "Output format: text, json or markdown.")
        var format: RuleDocs.Format = .text

        func run() throws {
            Terminal.output(RuleDocs.render(format))
        }
    }
}
