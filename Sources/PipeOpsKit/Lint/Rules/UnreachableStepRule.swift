struct UnreachableStepRule: Rule {
    static let description = RuleDescription(
        id: "unreachable-step",
        title: "Every step can run for some Condition outcome",
        category: .graph,
        severity: .error,
        rationale: """
            A step that depends (directly, through data, or through its own branch) on steps in \
            both the IfSteps and the ElseSteps of one Condition needs both outcomes at once: it \
            is skipped in every execution, silently.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ { Name: Good, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
                  ElseSteps: [ { Name: Bad, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
              - Name: ↓Report
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                DependsOn: [Good, Bad]
                Arguments: {}
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
                  IfSteps: [ { Name: Good, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
                  ElseSteps: [ { Name: Bad, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
              - Name: Report
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                DependsOn: [Good]
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition, let graph = context.graph, let order = context.order else { return }
        let required = graph.requiredOutcomes(pipeline: pipeline, order: order)
        for step in pipeline.steps {
            // Report only where the conflict starts, not on every step downstream of it.
            let conflicts = required[step.index].filter { $0.value.count > 1 }.map(\.key)
            guard let condition = conflicts.min() else { continue }
            let inherited = graph.predecessors[step.index].contains { required[$0.from][condition]?.count ?? 0 > 1 }
            if inherited { continue }
            findings.report(
                "step '\(step.name)' needs both the true and the false branch of Condition '\(pipeline.steps[condition].name)', so it never runs; depend on steps of one branch only",
                at: step.node["Name"] ?? step.node, step: step)
        }
    }
}
