import PipeOpsModel

struct CycleRule: Rule {
    static let description = RuleDescription(
        id: "cycle",
        title: "The dependency graph has no cycle",
        category: .graph,
        severity: .error,
        rationale: """
            Steps wait for their DependsOn steps, for the steps whose properties they read, and \
            for the Condition whose branch they are in. A cycle through any mix of these can never \
            start; the service rejects it. The finding names every step and edge of the cycle.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: ↓A
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                OutputParameters: [ { OutputName: out } ]
                DependsOn: [B]
                Arguments: {}
              - Name: B
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                OutputParameters: [ { OutputName: out } ]
                Arguments: { x: { Get: "Steps.A.OutputParameters['out']" } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: A, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} }
              - { Name: B, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", DependsOn: [A], Arguments: {} }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition, let graph = context.graph, context.order == nil else { return }
        for cycle in graph.cycles() {
            let first = pipeline.steps[cycle.steps[0]]
            findings.report(
                "dependency cycle: \(graph.describe(cycle, pipeline: pipeline)); no step on it can ever start — remove one of these dependencies",
                at: first.node["Name"] ?? first.node, step: first)
        }
    }
}
