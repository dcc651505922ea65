import PipeOpsModel

struct ConditionOperandsRule: Rule {
    static let description = RuleDescription(
        id: "condition-operands",
        title: "Condition operands can be compared",
        category: .references,
        severity: .error,
        rationale: """
            A condition compares values whose types are known before the pipeline runs: literals, \
            parameters, step properties (the API model's types) and Lambda/Callback outputs \
            (their OutputType). The SDK's own executor (local mode) fails the Condition step when \
            Equals compares values of different types ("…are not of the same type.") and when \
            GreaterThan, GreaterThanOrEqualTo, LessThan or LessThanOrEqualTo compare a string \
            with a number or a boolean with a string ("not supported between…"). How the service \
            coerces is not documented, so those are errors here, at the operand, naming both \
            types. A numeric string literal against a number, and a whole number against a \
            Float, are warnings: a service that converts them gives the intended answer, local \
            mode does not. An In whose QueryValue can never equal one of its Values is a \
            warning (it is simply false). Std:JsonGet results and ForEach items have no known \
            type and are not judged.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: String, DefaultValue: "0.7" }
            Steps:
              - Name: Score
                Type: Callback
                SqsQueueUrl: "https://sqs.us-east-1.amazonaws.com/111111111111/q"
                OutputParameters: [ { OutputName: accuracy, OutputType: Float } ]
                Arguments: {}
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - Type: GreaterThanOrEqualTo
                      LeftValue: { Get: "Steps.Score.OutputParameters['accuracy']" }
                      RightValue: ↓{ Get: Parameters.Threshold }
                  IfSteps: []
                  ElseSteps: []
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Deploy, Type: Boolean, DefaultValue: false }
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: { Get: Parameters.Deploy }, RightValue: ↓"yes" } ]
                  IfSteps: []
                  ElseSteps: []
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: Float, DefaultValue: 0.7 }
              - { Name: Deploy, Type: Boolean, DefaultValue: false }
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - { Type: GreaterThanOrEqualTo, LeftValue: 0.9, RightValue: { Get: Parameters.Threshold } }
                    - { Type: Equals, LeftValue: { Get: Parameters.Deploy }, RightValue: true }
                    - { Type: Equals, LeftValue: { Get: Execution.PipelineExecutionId }, RightValue: "x" }
                  IfSteps: []
                  ElseSteps: []
            """
        ])

    /// What an operand is known to be before the pipeline runs.
    enum Operand: Equatable {
        case string(numeric: Bool)
        case integer, float, boolean

        var phrase: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .float: return "a float"
            case .boolean: return "a boolean"
            }
        }
        var isNumber: Bool { self == .integer || self == .float }
    }

    static let ordering: Set<String> = ["GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"]

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps where step.type == .condition {
            for condition in step.arguments?["Conditions"]?.elements ?? [] {
                check(condition, step: step, pipeline: pipeline, shapes: context.shapes, findings: &findings)
            }
        }
    }

    private func check(_ condition: Node, step: Step, pipeline: Pipeline, shapes: ServiceShapes, findings: inout FindingSink) {
        guard let type = condition["Type"]?.string else { return }
        switch type {
        case "Not":
            if let inner = condition["Condition"] ?? condition["Expression"] {
                check(inner, step: step, pipeline: pipeline, shapes: shapes, findings: &findings)
            }
        case "Or":
            for inner in condition["Conditions"]?.elements ?? [] {
                check(inner, step: step, pipeline: pipeline, shapes: shapes, findings: &findings)
            }
        case "In":
            guard let query = condition["QueryValue"], let left = Self.operand(query, pipeline, shapes) else { return }
            for value in condition["Values"]?.elements ?? [] {
                guard let right = Self.operand(value, pipeline, shapes), Self.neverEqual(left, right) else { continue }
                findings.report(
                    "In condition of step '\(step.name)': QueryValue is \(left.phrase), this value is \(right.phrase); they are never equal",
                    at: value, step: step, severity: .warning)
            }
        case "Equals",
            _ where Self.ordering.contains(type):
            guard let leftNode = condition["LeftValue"], let rightNode = condition["RightValue"],
                let left = Self.operand(leftNode, pipeline, shapes), let right = Self.operand(rightNode, pipeline, shapes)
            else { return }
            guard let (severity, why) = Self.problem(type, left, right) else { return }
            // The operand that is the odd one out: a literal or reference that is not a number
            // where the other side is, else the right-hand side.
            let anchor = left.isNumber && !right.isNumber ? rightNode : (!left.isNumber && right.isNumber ? leftNode : rightNode)
            findings.report(
                "\(type) in step '\(step.name)' compares \(left.phrase) (\(leftNode.brief)) with \(right.phrase) (\(rightNode.brief)): \(why)",
                at: anchor, step: step, severity: severity)
        default: return
        }
    }

    static func problem(_ type: String, _ left: Operand, _ right: Operand) -> (Severity, String)? {
        if type == "Equals" {
            switch (left, right) {
            case (.string, .string), (.integer, .integer), (.float, .float), (.boolean, .boolean): return nil
            case (.integer, .float), (.float, .integer):
                return (.warning, "local mode fails on the different types and the service's conversion is undocumented; use the same type")
            case (.string(numeric: true), _) where right.isNumber, (_, .string(numeric: true)) where left.isNumber:
                return (
                    .warning, "a number against a numeric string is false unless the service converts it; write the number without quotes"
                )
            default:
                return (.error, "values of different types are never equal (local mode fails the step: \"not of the same type\")")
            }
        }
        switch (left, right) {
        case (.boolean, .string), (.string, .boolean):
            return (.error, "a boolean and a string cannot be ordered; the Condition step fails")
        case (.string(numeric: true), _) where right.isNumber, (_, .string(numeric: true)) where left.isNumber:
            return (.warning, "a numeric string is not a number; local mode fails the step unless it is written without quotes")
        case (.string, _) where right.isNumber, (_, .string) where left.isNumber:
            return (.error, "a string and a number cannot be ordered; the Condition step fails (declare it as a Float or Integer)")
        default: return nil
        }
    }

    static func neverEqual(_ left: Operand, _ right: Operand) -> Bool {
        switch (left, right) {
        case (.string, .string), (.boolean, .boolean): return false
        case _ where left.isNumber && right.isNumber: return false
        default: return true
        }
    }

    /// The type of a literal, parameter, execution variable, step property or Std:Join; nil when unknown.
    static func operand(_ node: Node, _ pipeline: Pipeline, _ shapes: ServiceShapes) -> Operand? {
        switch node.value {
        case .bool: return .boolean
        case .integer, .bigInteger: return .integer
        case .number: return .float
        case .string(let text): return .string(numeric: Double(text.trimmingCharacters(in: .whitespaces)) != nil)
        default: break
        }
        if node["Std:Join"] != nil { return .string(numeric: false) }
        guard case .get(let reference, _) = Expression.parse(node) else { return nil }
        switch reference {
        case .parameter(let name):
            switch pipeline.parameter(named: name)?.kind {
            case .string?: return .string(numeric: false)
            case .integer?: return .integer
            case .float?: return .float
            case .boolean?: return .boolean
            case nil: return nil
            }
        case .execution: return .string(numeric: false)
        case .stepProperty(let name, let text):
            guard let target = pipeline.step(named: name), case .success(let path) = PropertyPath.parseProperty(text),
                let type = StepProperties.scalarType(of: path, on: target, in: pipeline, shapes: shapes)
            else { return nil }
            switch type {
            case "integer", "long": return .integer
            case "float", "double": return .float
            case "boolean": return .boolean
            case "string": return .string(numeric: false)
            default: return nil
            }
        default: return nil
        }
    }
}
