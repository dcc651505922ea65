extension LintContext {
    /// Visits every `Get` in every step of the definition with the step it is in.
    func forEachReference(_ body: (Reference, Node, Step) -> Void) {
        guard let pipeline = definition else { return }
        for step in pipeline.steps {
            step.forEachReference { reference, node in body(reference, node, step) }
        }
        // PipelineExperimentConfig may hold expressions too (Execution.* by default).
        if let config = pipeline.root["PipelineExperimentConfig"], config.members != nil {
            for member in config.members ?? [] {
                Expression.parse(member.value).forEachReference { reference, node in
                    body(reference, node, Step(index: -1, name: "", node: config, type: nil, arguments: nil, dependsOn: [], membership: nil, expressions: []))
                }
            }
        }
    }
}

extension Step {
    /// The step name for findings, or nil for the pseudo-step used for top-level expressions.
    var findingName: String? { index < 0 ? nil : name }
}
