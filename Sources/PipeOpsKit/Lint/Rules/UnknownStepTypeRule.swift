struct UnknownStepTypeRule: Rule {
    static let description = RuleDescription(
        id: "unknown-step-type",
        title: "Step types are ones the service knows",
        category: .structure,
        severity: .error,
        rationale: """
            The service accepts Processing, Training, Transform, Tuning, Model, RegisterModel, \
            Condition, Fail, Lambda, Callback, QualityCheck, ClarifyCheck, EMR, EMRServerless, \
            AutoML, EndpointConfig, Endpoint, InferenceComponent, Lineage and ForEach. Note there \
            is no "CreateModel" type: the create-model step is "Model".
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Make
                Type: ↓CreateModel
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Make
                Type: Model
                Arguments: { ExecutionRoleArn: "arn:aws:iam::111111111111:role/r", PrimaryContainer: { Image: "img" } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard case .unknown(let name)? = step.type, let node = step.node["Type"] else { continue }
            let names = StepType.known.map(\.rawValue)
            var hint = Suggestion.hint(name, in: names) ?? " (known: \(names.joined(separator: ", ")))"
            if name == "CreateModel" { hint = "; the create-model step type is 'Model'" }
            findings.report("step '\(step.name)' has unknown type '\(name)'\(hint)", at: node, step: step)
        }
    }
}
