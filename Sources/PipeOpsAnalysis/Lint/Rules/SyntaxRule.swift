import PipeOpsModel

/// Parse failures. The loader produces these findings; the rule exists for its documentation.
struct SyntaxRule: Rule {
    static let description = RuleDescription(
        id: "syntax",
        title: "The file is valid JSON or YAML",
        category: .syntax,
        severity: .error,
        rationale: """
            A definition that does not parse cannot be uploaded. pipeops also refuses what would \
            exhaust a parser: nesting deeper than 512 levels, YAML aliases that expand to millions \
            of values, files over 64 MiB, and bytes that are not UTF-8.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps: [ { Name: A, Type: Fail, Arguments: {}
            ↓
            """,
            """
            {"Version": "2020-12-01", "Steps": [↓}
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps: []
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {}
}
