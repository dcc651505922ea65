import PipeOpsModel

struct UnusedParameterRule: Rule {
    static let description = RuleDescription(
        id: "unused-parameter",
        title: "Every declared parameter is used",
        category: .parameters,
        severity: .warning,
        rationale: """
            A parameter that no step reads does nothing: setting it per environment changes \
            nothing, which usually means a reference was misspelt or removed.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: ↓Unused, Type: String, DefaultValue: x }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Used, Type: String, DefaultValue: x }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Used } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        var used = Set<String>()
        context.forEachReference { reference, _, _ in
            if case .parameter(let name) = reference { used.insert(name) }
        }
        for parameter in pipeline.parameters where !used.contains(parameter.name) {
            findings.report(
                "parameter '\(parameter.name)' is declared but never used; remove it or reference it with {\"Get\": \"Parameters.\(parameter.name)\"}",
                at: parameter.node["Name"] ?? parameter.node)
        }
    }
}
