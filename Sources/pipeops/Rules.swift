import ArgumentParser
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension RuleDocs.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
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
