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
            commandName: "graph",
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

        @Flag(help: "Print the waves of steps the scheduler runs and the peak concurrency against the parallelism instead.")
        var waves = false

        @Option(name: .long, help: "With --waves: the environment whose parallelism (ParallelismConfiguration) to check.")
        var env: String?

        @Option(help: "With --waves: the parallelism to check instead of the environment's.")
        var parallelism: Int?

        func run() throws {
            if waves {
                try printWaves(environment: env, parallelism: parallelism, workspace: selection.workspace)
                return
            }
            let (pipeline, record) = try GraphUseCase.load(file: file, execution: execution, workspace: selection.workspace)
            Terminal.output(GraphRenderer.render(pipeline, as: format, execution: record))
        }
    }
}

/// `graph --waves`: a step runs in the wave after the latest step it depends on (DependsOn, data
/// references, Condition branches); with equal step times, the local engine and SageMaker run
/// each wave at once, up to MaxParallelExecutionSteps.
func printWaves(environment: String?, parallelism: Int?, workspace: Workspace) throws {
    let plan = try GraphUseCase.waves(environment: environment, parallelism: parallelism, workspace: workspace)
    for (index, wave) in plan.waves.enumerated() {
        let exclusive = wave.concurrency < wave.steps.count ? " (branch alternatives: at most \(wave.concurrency) at once)" : ""
        Terminal.output("wave \(index + 1): \(wave.steps.joined(separator: ", "))\(exclusive)\n")
    }
    let peak = plan.peak
    if let limit = plan.limit {
        Terminal.output(
            "peak concurrency \(peak); parallelism \(limit)\(peak > limit ? ": the widest wave waits for \(peak - limit) step\(peak - limit == 1 ? "" : "s")" : ": every wave runs at once")\n"
        )
    } else {
        Terminal.output("peak concurrency \(peak); no parallelism set (the service's default applies)\n")
    }
}
