import PipeOpsModel

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
            if let (reference, node, producer, branch) = crossBranchRead(
                by: step, condition: condition, required: required, references: context.references, pipeline: pipeline)
            {
                let what: String
                if case .propertyFile(_, let file) = reference {
                    what = "Std:JsonGet reads property file '\(file)' of step '\(producer.name)'"
                } else {
                    what = "'\(reference.text)' reads step '\(producer.name)'"
                }
                let own = branch == .ifSteps ? "ElseSteps" : "IfSteps"
                findings.report(
                    "\(what), which runs only in the \(branch.rawValue) of Condition '\(pipeline.steps[condition].name)'; step '\(step.name)' is in its \(own), so the producer never ran on its path and the step never runs: move the read into the \(branch.rawValue) or produce the file before the Condition",
                    at: node, step: step)
                continue
            }
            findings.report(
                "step '\(step.name)' needs both the true and the false branch of Condition '\(pipeline.steps[condition].name)', so it never runs; depend on steps of one branch only",
                at: step.node["Name"] ?? step.node, step: step)
        }
    }

    /// A reference of `step` (in one branch of `condition`) to a step that runs only in the other.
    private func crossBranchRead(
        by step: Step, condition: Int, required: [[Int: Set<Bool>]], references: [(Reference, Node, Step)], pipeline: Pipeline
    ) -> (Reference, Node, Step, BranchMembership.Branch)? {
        guard let own = step.membership, own.condition == condition else { return nil }
        for (reference, node, reader) in references where reader.index == step.index {
            let name: String
            switch reference {
            case .propertyFile(let producer, _), .stepProperty(let producer, _): name = producer
            default: continue
            }
            guard let producer = pipeline.step(named: name), let outcomes = required[producer.index][condition], outcomes.count == 1,
                let outcome = outcomes.first, outcome != own.outcome
            else { continue }
            return (reference, node, producer, outcome ? .ifSteps : .elseSteps)
        }
        return nil
    }
}
