import PipeOpsModel

struct YAMLBooleanStringRule: Rule {
    static let description = RuleDescription(
        id: "yaml-boolean-string",
        title: "Plain yes/no/on/off are strings, not booleans",
        category: .syntax,
        severity: .warning,
        rationale: """
            pipeops reads YAML with the YAML 1.2 core schema, as JSON does: plain `yes`, `no`, \
            `on` and `off` are strings. Many YAML 1.1 tools read them as booleans, so the same \
            file means different things to different tools. Write true/false, or quote the string.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - Name: Flag
                Type: Boolean
                DefaultValue: ↓yes
            Steps:
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { Get: Parameters.Flag } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Metadata: { answer: "no" }
            Steps: []
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        for (text, location) in context.document.ambiguousScalars {
            let lower = text.lowercased()
            let meant = ["yes", "on", "y"].contains(lower) ? "true" : "false"
            findings.report(
                "'\(text)' is the string \"\(text)\" here (YAML 1.2), but a boolean \(meant) to YAML 1.1 tools; write \(meant) or quote it as \"\(text)\"",
                at: location)
        }
    }
}
