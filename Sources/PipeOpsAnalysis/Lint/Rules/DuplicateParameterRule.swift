import PipeOpsModel

struct DuplicateParameterRule: Rule {
    static let description = RuleDescription(
        id: "duplicate-parameter",
        title: "Parameter names are unique",
        category: .parameters,
        severity: .error,
        rationale: "Two parameters with one name make every reference to it ambiguous; the service rejects the definition.",
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: 1 }
              - { Name: ↓Count, Type: Integer, DefaultValue: 2 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: 1 }
              - { Name: Limit, Type: Integer, DefaultValue: 2 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { "Std:Join": { Values: [ { Get: Parameters.Count }, { Get: Parameters.Limit } ] } } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        var seen: [String: Int] = [:]
        for parameter in pipeline.parameters {
            if let line = seen[parameter.name] {
                findings.report(
                    "parameter '\(parameter.name)' is declared again (first at line \(line))", at: parameter.node["Name"] ?? parameter.node)
            } else {
                seen[parameter.name] = parameter.node.location.line
            }
        }
    }
}
