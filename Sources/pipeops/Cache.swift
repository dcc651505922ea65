import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Cache: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cache",
            abstract: "Explain the step cache: which steps the next run takes from it, and why the others miss.",
            subcommands: [Explain.self]
        )

        struct Explain: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "explain",
                abstract: "Predict, per cacheable step, a hit, a miss or an expired result, naming what changed.",
                discussion: """
                    The key is the one the engine (and the service) uses: the step type and its \\
                    documented key attributes (Processing: AppSpecification, Environment, \\
                    ProcessingInputs; Training: AlgorithmSpecification, CheckpointConfig, \\
                    DebugHookConfig, DebugRuleConfigurations, Environment, HyperParameters, \\
                    InputDataConfig; …) after resolving parameters and the properties of the steps \\
                    before. A miss names the attribute paths that differ from the newest cached \\
                    result of the same step (or from --against EXECUTION) with old → new values; a \\
                    step that takes a generated value (a job name, a model artifact) from a step \\
                    that runs again misses too. Also flags what defeats caching on the service: \\
                    Execution.* in a key attribute, a sagemaker_job_name hyperparameter, timestamps \\
                    in URIs, no ExpireAfter, and P30M (30 months).
                    Exit 0; 2 on errors.
                    """
            )

            @OptionGroup var selection: PipelineOption

            @Argument(help: "Steps to explain (default: all).")
            var steps: [String] = []

            @Option(name: .long, help: "Environment whose parameter set to use.")
            var env: String?

            @Option(name: .long, help: "Definition file (default: the manifest's).")
            var definition: String?

            @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter, as for run.", valueName: "NAME=VALUE"))
            var params: [String] = []

            @Option(help: ArgumentHelp("Compare misses with this local execution's cached results.", valueName: "EXECUTION"))
            var against: String?

            @Option(help: "Output format: text or json.")
            var format: OutputFormat = .text

            func validate() throws {
                do { _ = try Assignments.parse(params) } catch { throw ValidationError(error.errorDescription ?? "") }
            }

            func run() throws {
                var request = LocalRun.Request(environment: env, definition: definition, parameters: try Assignments.parse(params))
                request.pipeline = selection.pipeline
                let predictions = try LocalRun(request).explainCache(steps: steps, against: against)
                switch format {
                case .json:
                    Terminal.output(CanonicalJSON.string(LocalRun.json(predictions), sortKeys: false, pretty: true) + "\n")
                case .text:
                    let colored = Terminal.colorAllowed
                    let width = max(8, predictions.map { $0.step.count }.max() ?? 0)
                    for p in predictions {
                        let style: TerminalStyle.Style =
                            ["hit"].contains(p.verdict.rawValue)
                            ? .success : ["miss", "expired"].contains(p.verdict.rawValue) ? .notice : .dim
                        let verdict = TerminalStyle.paint(
                            p.verdict.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0), style, enabled: colored)
                        Terminal.output(
                            "\(p.step.padding(toLength: width, withPad: " ", startingAt: 0))  \(verdict) \(p.reasons.first ?? "")\n")
                        for reason in p.reasons.dropFirst() { Terminal.output(String(repeating: " ", count: width + 16) + reason + "\n") }
                        for change in p.changes.prefix(12) {
                            Terminal.output(
                                String(repeating: " ", count: width + 16)
                                    + "\(change.path): \(change.old ?? "(absent)") → \(change.new ?? "(absent)")\n")
                        }
                        for warning in p.warnings {
                            Terminal.output(
                                String(repeating: " ", count: width + 16) + TerminalStyle.paint("warning:", .warning, enabled: colored)
                                    + " \(warning)\n")
                        }
                    }
                }
            }
        }
    }
}
