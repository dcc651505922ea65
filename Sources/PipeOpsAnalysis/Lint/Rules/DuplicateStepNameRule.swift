import PipeOpsModel

struct DuplicateStepNameRule: Rule {
    static let description = RuleDescription(
        id: "duplicate-step-name",
        title: "Step names are unique across the whole pipeline",
        category: .structure,
        severity: .error,
        rationale: """
            Step names must be unique across every nesting level: a step listed at the top level \
            and again inside a Condition branch is rejected, and references to the name would be \
            ambiguous. (A step in both branches of one Condition is reported by branch-conflict.)
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } }
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps:
                    - { Name: ↓Stop, Type: Fail, Arguments: { ErrorMessage: b } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: StopA, Type: Fail, Arguments: { ErrorMessage: a } }
              - { Name: StopB, Type: Fail, Arguments: { ErrorMessage: b } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps where !step.name.isEmpty {
            guard let first = pipeline.stepIndex[step.name], first != step.index else { continue }
            let original = pipeline.steps[first]
            if BranchConflictRule.isBranchConflict(original, step) { continue }
            let where_ = original.membership == nil ? "at the top level" : "in a Condition branch"
            findings.report(
                "step name '\(step.name)' is already used by the step at line \(original.nameLocation.line) (\(where_)); step names must be unique across all branches",
                at: step.node["Name"] ?? step.node, step: step)
        }
    }
}
