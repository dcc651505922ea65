import PipeOpsModel

struct DependsOnConditionRule: Rule {
    static let description = RuleDescription(
        id: "depends-on-condition",
        title: "DependsOn does not name a Condition step",
        category: .references,
        severity: .warning,
        rationale: """
            Users report that CreatePipeline fails when a Condition step is named in another \
            step's DependsOn (aws/sagemaker-python-sdk#3565). Put the dependent step in a branch \
            of the Condition instead, or depend on the steps the Condition reads.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Check, Type: Condition, Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] } }
              - { Name: After, Type: Fail, DependsOn: [↓Check], Arguments: { ErrorMessage: b } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ { Name: After, Type: Fail, Arguments: { ErrorMessage: b } } ]
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for dependency in step.dependsOn where pipeline.step(named: dependency.name)?.type == .condition {
                let (name, node) = (dependency.name, dependency.node)
                findings.report(
                    "step '\(step.name)' lists Condition step '\(name)' in DependsOn, which the service is reported to reject; move '\(step.name)' into a branch of '\(name)'",
                    at: node, step: step)
            }
        }
    }
}
