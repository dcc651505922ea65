import PipeOpsModel

extension LintContext {
    /// Visits every `Get` in every step of the definition with the step it is in. The list is
    /// collected once per file and shared by every rule that reads references.
    func forEachReference(_ body: (Reference, Node, Step) -> Void) {
        for (reference, node, step) in references { body(reference, node, step) }
    }

    static func collectReferences(_ pipeline: Pipeline?) -> [(Reference, Node, Step)] {
        guard let pipeline else { return [] }
        var found: [(Reference, Node, Step)] = []
        for step in pipeline.steps {
            step.forEachReference { reference, node in found.append((reference, node, step)) }
        }
        // PipelineExperimentConfig may hold expressions too (Execution.* by default).
        if let config = pipeline.root["PipelineExperimentConfig"], let members = config.members {
            let pseudo = Step(index: -1, name: "", node: config, type: nil, arguments: nil, dependsOn: [], membership: nil, expressions: [])
            for member in members {
                Expression.parse(member.value).forEachReference { reference, node in found.append((reference, node, pseudo)) }
            }
        }
        return found
    }
}

extension Step {
    /// The step name for findings, or nil for the pseudo-step used for top-level expressions.
    var findingName: String? { index < 0 ? nil : name }
}
