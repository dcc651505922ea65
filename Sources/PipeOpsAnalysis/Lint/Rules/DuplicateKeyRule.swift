import PipeOpsModel

struct DuplicateKeyRule: Rule {
    static let description = RuleDescription(
        id: "duplicate-key",
        title: "No key appears twice in one object",
        category: .syntax,
        severity: .error,
        rationale: """
            JSON parsers keep the last of two equal keys and drop the first without a word, so \
            a second "Arguments" or "DependsOn" silently replaces the one you reviewed. (In YAML \
            a repeated key is a syntax error.)
            """,
        triggering: [
            """
            {"Version": "2020-12-01", "Steps": [], ↓"Steps": []}
            """
        ],
        nonTriggering: [
            """
            {"Version": "2020-12-01", "Steps": []}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        for duplicate in context.document.duplicateKeys {
            findings.report(
                "key '\(duplicate.key)' repeats the one at line \(duplicate.firstLocation.line); the later value silently replaces the earlier one — keep one",
                at: duplicate.location)
        }
    }
}
