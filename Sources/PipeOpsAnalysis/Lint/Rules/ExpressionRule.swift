import PipeOpsModel

struct ExpressionRule: Rule {
    static let description = RuleDescription(
        id: "expression",
        title: "Get, Std:Join and Std:JsonGet are well formed",
        category: .structure,
        severity: .error,
        rationale: """
            An expression is a one-key object: {"Get": "<reference>"}, {"Std:Join": {"On", "Values"}} \
            or {"Std:JsonGet": {"PropertyFile" or "S3Uri", "Path"}}. Anything else is either rejected \
            or, worse, passed to the job as a literal object.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:Join": { On: " ", ↓Value: [a, b] } }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: ↓{ "Std:Concat": [a, b] }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:Join": { On: " ", Values: [a, { Get: Execution.PipelineExecutionId }] } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for expression in step.expressions {
                visit(expression, step: step, findings: &findings)
            }
        }
    }

    private func visit(_ expression: Expression, step: Step, findings: inout FindingSink) {
        switch expression {
        case .malformed(let message, let node):
            findings.report(message, at: node, step: step)
        case .join(_, let values, _):
            for value in values {
                if case .literal(let node) = value, node.members != nil || node.elements != nil {
                    findings.report(
                        "Std:Join values must be strings, numbers, booleans or expressions, not a literal \(node.typeName)", at: node,
                        step: step)
                }
                visit(value, step: step, findings: &findings)
            }
        case .jsonGet(let jsonGet, _):
            switch jsonGet.source {
            case .propertyFile(let inner), .s3Uri(let inner): visit(inner, step: step, findings: &findings)
            case .missing: break
            }
        case .literal, .get: break
        }
    }
}
