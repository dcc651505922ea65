import PipeOpsModel

struct UndeclaredParameterRule: Rule {
    static let description = RuleDescription(
        id: "undeclared-parameter",
        title: "Parameters.<Name> names a declared parameter",
        category: .references,
        severity: .error,
        rationale: "A Get of a parameter that is not in the Parameters list has no value at run time; the service rejects the definition.",
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: Float, DefaultValue: 0.5 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: ↓Parameters.Treshold } } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: Float, DefaultValue: 0.5 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Threshold } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        let names = pipeline.parameters.map(\.name)
        let declared = Set(names)
        context.forEachReference { reference, node, step in
            guard case .parameter(let name) = reference, !declared.contains(name) else { return }
            let hint =
                Suggestion.hint(name, in: names)
                ?? (names.isEmpty ? "; the definition declares no parameters" : " (declared: \(StepProperties.listing(names)))")
            findings.report("parameter '\(name)' is not declared\(hint)", at: node.location, step: step.findingName)
        }
    }
}
