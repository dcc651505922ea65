import PipeOpsModel

struct ParameterTypeRule: Rule {
    static let description = RuleDescription(
        id: "parameter-type",
        title: "Parameter types are valid and defaults match them",
        category: .parameters,
        severity: .error,
        rationale: """
            Type is String, Integer, Float or Boolean, and DefaultValue must be of that JSON type \
            (a Float accepts whole numbers). The SDK skips its type check for falsy defaults \
            (0, "", false), so a wrong-typed default can reach the service.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: ↓"2" }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: ↓Int, DefaultValue: 2 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Rate, Type: Float, DefaultValue: 1 }
              - { Name: Flag, Type: Boolean, DefaultValue: false }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { "Std:Join": { Values: [ { Get: Parameters.Rate }, { Get: Parameters.Flag } ] } } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters {
            guard let typeNode = parameter.node["Type"], let type = typeNode.string else { continue }
            guard parameter.kind != nil else {
                let names = Parameter.Kind.allCases.map(\.rawValue)
                let hint =
                    Suggestion.closest(to: type, in: names + ["Int", "Bool", "Str", "Number"]).flatMap { guess -> String? in
                        let map = ["Int": "Integer", "Bool": "Boolean", "Str": "String", "Number": "Float"]
                        return "; did you mean '\(map[guess] ?? guess)'?"
                    } ?? " (use String, Integer, Float or Boolean)"
                findings.report("parameter '\(parameter.name)' has unknown type '\(type)'\(hint)", at: typeNode)
                continue
            }
            if let value = parameter.defaultValue, !parameter.accepts(value) {
                findings.report(
                    "default \(value.brief) of \(type) parameter '\(parameter.name)' is a \(value.typeName)\(value.string != nil ? "; remove the quotes" : "")",
                    at: value)
            }
        }
    }
}
