import PipeOpsModel

struct UnknownStepRule: Rule {
    static let description = RuleDescription(
        id: "unknown-step",
        title: "DependsOn and Get name existing steps",
        category: .references,
        severity: .error,
        rationale: """
            A DependsOn entry or a Steps.<Name> reference to a step that does not exist is \
            rejected by the service (or, in the SDK, fails only at compile time in the user's \
            notebook). The message lists the known steps and the closest match.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Prep, Type: Fail, Arguments: { ErrorMessage: a } }
              - { Name: Train, Type: Fail, DependsOn: [↓Prepare], Arguments: { ErrorMessage: b } }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { Get: ↓Steps.Trian.TrainingJobName } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Check, Type: Condition, Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] } }
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Steps.Check.Outcome } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        let names = pipeline.steps.map(\.name).filter { !$0.isEmpty }
        func message(_ name: String, _ what: String) -> String {
            let hint =
                Suggestion.hint(name, in: names)
                ?? " (known: \(names.isEmpty ? "none" : StepProperties.listing(names)))"
            return "\(what) unknown step '\(name)'\(hint)"
        }
        for step in pipeline.steps {
            for dependency in step.dependsOn where pipeline.stepIndex[dependency.name] == nil {
                let (name, node) = (dependency.name, dependency.node)
                findings.report(message(name, "step '\(step.name)' depends on"), at: node, step: step)
            }
        }
        context.forEachReference { reference, node, step in
            guard let name = reference.stepName, pipeline.stepIndex[name] == nil else { return }
            findings.report(message(name, "'\(reference.text)' refers to"), at: node.location, step: step.findingName)
        }
    }
}
