import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

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

        @OptionGroup var selection: PipelineOption

        @Argument(help: "Definition file. Default: the manifest's definition.")
        var file: String?

        @Option(help: "Output format: mermaid or dot.")
        var format: GraphRenderer.Format = .mermaid

        @Option(help: ArgumentHelp("Annotate with a local execution (pipeops executions list).", valueName: "ID"))
        var execution: String?

        func run() throws {
            let (pipeline, record) = try GraphUseCase.load(file: file, execution: execution, workspace: selection.workspace)
            Terminal.output(GraphRenderer.render(pipeline, as: format, execution: record))
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

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Environment whose parallelism (ParallelismConfiguration) to check.")
        var env: String?

        @Option(help: "Parallelism to check instead of the environment's.")
        var parallelism: Int?

        func run() throws {
            let plan = try GraphUseCase.waves(environment: env, parallelism: parallelism, workspace: selection.workspace)
            for (index, wave) in plan.waves.enumerated() {
                let exclusive = wave.concurrency < wave.steps.count ? " (branch alternatives: at most \(wave.concurrency) at once)" : ""
                Terminal.output("wave \(index + 1): \(wave.steps.joined(separator: ", "))\(exclusive)\n")
            }
            let peak = plan.peak
            let limit = plan.limit
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
