import PipeOpsModel

struct ParameterEnumRule: Rule {
    static let description = RuleDescription(
        id: "parameter-enum",
        title: "Defaults are among EnumValues",
        category: .parameters,
        severity: .error,
        rationale: """
            EnumValues lists the strings a String parameter may take. A default outside the list \
            is a contradiction the SDK does not check; EnumValues on other types is not emitted by \
            the SDK and is ignored.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Instance, Type: String, DefaultValue: ↓ml.m5.large, EnumValues: [ml.m5.xlarge, ml.m5.2xlarge] }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Instance } } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Instance, Type: String, DefaultValue: ml.m5.xlarge, EnumValues: [ml.m5.xlarge, ml.m5.2xlarge] }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Instance } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters {
            guard let enumNode = parameter.node["EnumValues"], let values = parameter.enumValues else { continue }
            if parameter.kind != .string && parameter.kind != nil {
                findings.report(
                    "EnumValues on \(parameter.kind!.rawValue) parameter '\(parameter.name)' is ignored; only String parameters have EnumValues",
                    at: enumNode, severity: .warning)
                continue
            }
            if values.isEmpty {
                findings.report("EnumValues of '\(parameter.name)' is empty; remove it or list the allowed values", at: enumNode)
            }
            for value in values where value.string == nil {
                findings.report("EnumValues entries must be strings, not a \(value.typeName)", at: value)
            }
            if let value = parameter.defaultValue, let string = value.string, !values.contains(where: { $0.string == string }) {
                let allowed = values.compactMap(\.string)
                findings.report(
                    "default \"\(string)\" of '\(parameter.name)' is not one of its EnumValues (\(allowed.joined(separator: ", ")))",
                    at: value)
            }
        }
    }
}
