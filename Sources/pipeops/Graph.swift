import ArgumentParser
import Foundation
import PipeOpsKit

extension GraphRenderer.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the step dependency graph (Mermaid or Graphviz dot).",
            discussion: "Edges: DependsOn (dashed), data references, and Condition branches (if true / if false)."
        )

        @Argument(help: "Definition file. Default: the manifest's definition.")
        var file: String?

        @Option(help: "Output format: mermaid or dot.")
        var format: GraphRenderer.Format = .mermaid

        func run() throws {
            let document = try Product.locate().loadDefinition(file)
            Terminal.output(GraphRenderer.render(Pipeline(document: document), as: format))
        }
    }
}
