import PipeOpsModel

struct UnknownStepTypeRule: Rule {
    static let description = RuleDescription(
        id: "unknown-step-type",
        title: "Step types are ones the service knows",
        category: .structure,
        severity: .warning,
        rationale: """
            pipeops checks and runs Processing, Training, Transform, Tuning, Model, RegisterModel, \
            Condition, Fail, Lambda, Callback, QualityCheck, ClarifyCheck, EMR, EMRServerless, \
            AutoML, EndpointConfig, Endpoint, InferenceComponent, Lineage, ForEach, Job and \
            Cleanup. A type that the SageMaker API model lists in its pipeline step metadata but \
            pipeops does not check (Athena, HubContent, the Bedrock steps) is an info; a type the \
            model does not know is a warning naming the model's botocore version, not an error: \
            the service ships new step types every few weeks, and a newer SDK may write one \
            before pipeops knows it. Note there is no "CreateModel" type: the create-model step \
            is "Model".
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
        let model = context.shapes
        for step in pipeline.steps {
            guard case .unknown(let name)? = step.type, let node = step.node["Type"] else { continue }
            if model.stepTypes.contains(name) {
                findings.report(
                    "step '\(step.name)' has type '\(name)', which the SageMaker API knows (\(model.versionPhrase)) but pipeops does not check; its Arguments and properties are not validated, and 'pipeops run' needs a stand-in for it (local.steps)",
                    at: node, step: step, severity: .info)
                continue
            }
            let names = Array(Set(StepType.known.map(\.rawValue)).union(model.stepTypes)).sorted()
            var hint = Suggestion.hint(name, in: names) ?? " (known: \(names.joined(separator: ", ")))"
            if name == "CreateModel" { hint = "; the create-model step type is 'Model'" }
            findings.report("step '\(step.name)' has type '\(name)', unknown to pipeops\(hint); \(model.updateHint)", at: node, step: step)
        }
    }
}
