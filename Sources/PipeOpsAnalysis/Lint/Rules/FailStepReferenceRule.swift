import PipeOpsModel

struct FailStepReferenceRule: Rule {
    static let description = RuleDescription(
        id: "fail-step-reference",
        title: "Nothing depends on or reads a Fail step",
        category: .references,
        severity: .error,
        rationale: """
            A Fail step ends the execution and has no properties: it cannot appear in DependsOn \
            and no step may reference it (the SDK raises on Fail step properties, the docs forbid both).
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } }
              - { Name: After, Type: Fail, DependsOn: [↓Stop], Arguments: { ErrorMessage: b } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Before, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} }
              - { Name: Stop, Type: Fail, DependsOn: [Before], Arguments: { ErrorMessage: a } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for dependency in step.dependsOn where pipeline.step(named: dependency.name)?.type == .fail {
                let (name, node) = (dependency.name, dependency.node)
                findings.report(
                    "step '\(step.name)' depends on Fail step '\(name)', which ends the execution; nothing can run after it", at: node,
                    step: step)
            }
        }
        context.forEachReference { reference, node, step in
            guard let name = reference.stepName, pipeline.step(named: name)?.type == .fail else { return }
            findings.report(
                "'\(reference.text)' reads Fail step '\(name)', which has no properties", at: node.location, step: step.findingName)
        }
    }
}
