import PipeOpsModel

struct ExecutionVariableRule: Rule {
    static let description = RuleDescription(
        id: "execution-variable",
        title: "Execution.<Var> names an execution variable that exists",
        category: .references,
        severity: .error,
        rationale: """
            The execution variables are StartDateTime, CurrentDateTime, PipelineName, PipelineArn, \
            PipelineExecutionId, PipelineExecutionArn, TrainingJobName and ProcessingJobName. \
            Any other name has no value.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: ↓Execution.ExecutionId } } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Execution.PipelineExecutionId } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachReference { reference, node, step in
            guard case .execution(let name) = reference, !Reference.executionVariables.contains(name) else { return }
            let hint =
                Suggestion.hint(name, in: Reference.executionVariables)
                ?? " (known: \(Reference.executionVariables.joined(separator: ", ")))"
            findings.report("'Execution.\(name)' is not an execution variable\(hint)", at: node.location, step: step.findingName)
        }
    }
}
