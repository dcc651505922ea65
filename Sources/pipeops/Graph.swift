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

extension GraphRenderer.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the step dependency graph (Mermaid or Graphviz dot).",
            discussion: """
                Edges: DependsOn (dashed), data references, and Condition branches (if true / if \\
                false). With --execution ID, every step shows its status, duration and cache hit \\
                in that local execution (coloured by status), and each branch edge says whether \\
                it was taken.
                """
        )

        @Argument(help: "Definition file. Default: the manifest's definition.")
        var file: String?

        @Option(help: "Output format: mermaid or dot.")
        var format: GraphRenderer.Format = .mermaid

        @Option(help: ArgumentHelp("Annotate with a local execution (pipeops executions list).", valueName: "ID"))
        var execution: String?

        func run() throws {
            let document = try Product.locate().loadDefinition(file)
            var record: ExecutionRecord?
            if let execution {
                guard execution.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                    throw PipeOpsError.invalidArgument("'\(execution)' is not an execution id")
                }
                record = try Executions.store().0.load(execution)
            }
            Terminal.output(GraphRenderer.render(Pipeline(document: document), as: format, execution: record))
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the waves of steps the scheduler runs, and the peak concurrency against the parallelism.",
            discussion: """
                A step runs in the wave after the latest step it depends on (DependsOn, data \\
                references, Condition branches); with equal step times, the local engine and \\
                SageMaker run each wave at once, up to MaxParallelExecutionSteps.
                """
        )

        @Option(name: .long, help: "Environment whose parallelism (ParallelismConfiguration) to check.")
        var env: String?

        @Option(help: "Parallelism to check instead of the environment's.")
        var parallelism: Int?

        func run() throws {
            let product = try Product.locate()
            let document = try product.loadDefinition()
            let pipeline = Pipeline(document: document)
            guard let waves = GraphRenderer.waves(pipeline) else {
                throw PipeOpsError.message("the definition has a dependency cycle; 'pipeops lint' names it")
            }
            var limit = parallelism
            if limit == nil, let env {
                limit = try ProductContext.load().environment(named: env).parallelism
            }
            // Steps on the two branches of one Condition never run together.
            func concurrency(_ wave: [Step]) -> Int {
                var alone = 0
                var branches: [Int: (ifSteps: Int, elseSteps: Int)] = [:]
                for step in wave {
                    guard let membership = step.membership else {
                        alone += 1
                        continue
                    }
                    var counts = branches[membership.condition] ?? (0, 0)
                    if membership.outcome { counts.ifSteps += 1 } else { counts.elseSteps += 1 }
                    branches[membership.condition] = counts
                }
                return alone + branches.values.map { max($0.ifSteps, $0.elseSteps) }.reduce(0, +)
            }
            for (index, wave) in waves.enumerated() {
                let exclusive = concurrency(wave) < wave.count ? " (branch alternatives: at most \(concurrency(wave)) at once)" : ""
                Terminal.output("wave \(index + 1): \(wave.map(\.name).joined(separator: ", "))\(exclusive)\n")
            }
            let peak = waves.map(concurrency).max() ?? 0
            if let limit {
                Terminal.output(
                    "peak concurrency \(peak); parallelism \(limit)\(peak > limit ? ": the widest wave waits for \(peak - limit) step\(peak - limit == 1 ? "" : "s")" : ": every wave runs at once")\n"
                )
            } else {
                Terminal.output("peak concurrency \(peak); no parallelism set (the service's default applies)\n")
            }
        }
    }
}
