import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

extension LocalEngine {
    /// Problems that stop a run before it starts: cycles, and steps that cannot run here.
    public static func preflight(_ pipeline: Pipeline, standIns: [String: [String]], fixedOutputs: [String: Node]) -> [String] {
        var problems: [String] = []
        let graph = DependencyGraph(pipeline: pipeline)
        if case .failure(let cycles) = graph.topologicalOrder() {
            problems += cycles.cycles.map { "dependency cycle: \(graph.describe($0, pipeline: pipeline))" }
        }
        for step in pipeline.steps {
            let hasStandIn = standIns[step.name] != nil
            switch step.type?.kind?.localRun ?? .standInOnly {
            case .emulated: continue
            case .outputs:
                if !hasStandIn && fixedOutputs[step.name] == nil {
                    problems.append(
                        "\(step.type!.rawValue) step '\(step.name)' needs a stand-in: set local.steps.\(step.name).command (prints the output parameters as JSON) or local.steps.\(step.name).outputs in pipeops.yaml"
                    )
                }
            case .standInOnly:
                if !hasStandIn {
                    problems.append(
                        "\(step.type?.rawValue ?? "untyped") step '\(step.name)' cannot run locally: set local.steps.\(step.name).command in pipeops.yaml to run a stand-in in its place"
                    )
                }
            }
        }
        return problems
    }
}
