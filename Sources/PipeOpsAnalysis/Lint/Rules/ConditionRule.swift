import PipeOpsModel

struct ConditionRule: Rule {
    static let description = RuleDescription(
        id: "condition",
        title: "Conditions are well formed",
        category: .structure,
        severity: .error,
        rationale: """
            Condition types are Equals, GreaterThan, GreaterThanOrEqualTo, LessThan, \
            LessThanOrEqualTo, In, Not and Or. Comparisons need LeftValue and RightValue, In needs \
            QueryValue and Values, Not needs Condition, Or needs Conditions. The SDK's local mode \
            crashes on an unknown type and the service rejects it.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - { Type: ↓GreaterThen, LeftValue: 1, RightValue: 2 }
                  IfSteps: []
                  ElseSteps: []
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - ↓{ Type: In, QueryValue: a }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - { Type: Not, Condition: { Type: In, QueryValue: a, Values: [b, c] } }
                    - { Type: Or, Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] }
                  IfSteps: []
                  ElseSteps: []
            """
        ])

    static let operands: [String: [String]] = [
        "Equals": ["LeftValue", "RightValue"], "GreaterThan": ["LeftValue", "RightValue"],
        "GreaterThanOrEqualTo": ["LeftValue", "RightValue"], "LessThan": ["LeftValue", "RightValue"],
        "LessThanOrEqualTo": ["LeftValue", "RightValue"], "In": ["QueryValue", "Values"], "Not": ["Condition"],
        "Or": ["Conditions"],
    ]

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps where step.type == .condition {
            for condition in step.arguments?["Conditions"]?.elements ?? [] {
                check(condition, step: step, findings: &findings)
            }
        }
    }

    private func check(_ condition: Node, step: Step, findings: inout FindingSink) {
        guard condition.members != nil else {
            findings.report("a condition must be an object with a Type, not a \(condition.typeName)", at: condition, step: step)
            return
        }
        guard let typeNode = condition["Type"], let type = typeNode.string else {
            findings.report(
                "a condition needs a 'Type' (\(Self.operands.keys.sorted().joined(separator: ", ")))", at: condition, step: step)
            return
        }
        guard var required = Self.operands[type] else {
            let hint =
                Suggestion.hint(type, in: Array(Self.operands.keys))
                ?? " (known: \(Self.operands.keys.sorted().joined(separator: ", ")))"
            findings.report("unknown condition type '\(type)'\(hint)", at: typeNode, step: step)
            return
        }
        // SDK PR #4351 renamed Not's operand from Expression to Condition; older definitions still load.
        if type == "Not", condition["Condition"] == nil, condition["Expression"] != nil { required = ["Expression"] }
        for key in required where condition[key] == nil {
            findings.report("\(type) condition needs '\(key)'", at: condition, step: step)
        }
        let allowed = Set(["Type"] + required)
        for member in condition.members ?? [] where !allowed.contains(member.key) {
            findings.report(
                "'\(member.key)' does not belong in a \(type) condition (it takes \(required.joined(separator: " and ")))",
                at: member.keyLocation, step: step.name)
        }
        switch type {
        case "Not":
            if let inner = condition["Condition"] ?? condition["Expression"] { check(inner, step: step, findings: &findings) }
        case "Or":
            if let inner = condition["Conditions"] {
                guard let list = inner.elements else {
                    findings.report("Or condition 'Conditions' must be a list", at: inner, step: step)
                    return
                }
                if list.isEmpty { findings.report("Or condition has no conditions; it is always false", at: inner, step: step) }
                for element in list { check(element, step: step, findings: &findings) }
            }
        case "In":
            if let values = condition["Values"], values.elements == nil, !Expression.isExpression(values) {
                findings.report("In condition 'Values' must be a list", at: values, step: step)
            }
        default: break
        }
    }
}
