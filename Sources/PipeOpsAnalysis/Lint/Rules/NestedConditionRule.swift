import PipeOpsModel

struct NestedConditionRule: Rule {
    static let description = RuleDescription(
        id: "nested-condition",
        title: "Condition steps are not nested in branches",
        category: .graph,
        severity: .warning,
        rationale: """
            The SDK flattens nested ConditionSteps into branch lists, but the AWS docs state that \
            nested condition steps are not supported by the service. Prefer a top-level Condition \
            that depends on the branch's steps.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Outer
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps:
                    - Name: ↓Inner
                      Type: Condition
                      Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: First
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } } ]
              - Name: Second
                Type: Condition
                Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps where step.type == .condition {
            guard let membership = step.membership else { continue }
            findings.report(
                "Condition '\(step.name)' is nested in \(membership.branch.rawValue) of Condition '\(pipeline.steps[membership.condition].name)'; the service documents nested conditions as unsupported",
                at: step.node["Name"] ?? step.node, step: step)
        }
    }
}
