import PipeOpsModel

struct BranchConflictRule: Rule {
    static let description = RuleDescription(
        id: "branch-conflict",
        title: "No step is in both branches of a Condition",
        category: .graph,
        severity: .error,
        rationale: """
            The docs forbid a step in both IfSteps and ElseSteps of one Condition: it would run \
            whatever the outcome, which is what a top-level step after the Condition is for.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } } ]
                  ElseSteps: [ { Name: ↓Stop, Type: Fail, Arguments: { ErrorMessage: a } } ]
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
                  IfSteps: [ { Name: Pass, Type: Fail, Arguments: { ErrorMessage: a } } ]
                  ElseSteps: [ { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } } ]
            """
        ])

    /// Whether `later` repeats `first` across the two branches of the same Condition.
    static func isBranchConflict(_ first: Step, _ later: Step) -> Bool {
        guard let a = first.membership, let b = later.membership else { return false }
        return a.condition == b.condition && a.branch != b.branch
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let first = pipeline.stepIndex[step.name], first != step.index,
                Self.isBranchConflict(pipeline.steps[first], step), let membership = step.membership
            else { continue }
            let condition = pipeline.steps[membership.condition].name
            findings.report(
                "step '\(step.name)' is in both IfSteps and ElseSteps of Condition '\(condition)'; to run it either way, put it after the Condition at the top level",
                at: step.node["Name"] ?? step.node, step: step)
        }
    }
}
