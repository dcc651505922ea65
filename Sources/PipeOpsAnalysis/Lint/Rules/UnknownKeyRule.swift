import PipeOpsModel

struct UnknownKeyRule: Rule {
    static let description = RuleDescription(
        id: "unknown-key",
        title: "No unknown keys outside Arguments",
        category: .structure,
        severity: .warning,
        rationale: """
            A misspelt key such as "DependOn" or "CacheConfg" is dropped or rejected, and the \
            dependency or cache setting you meant never exists.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                ↓DependOn: []
                Arguments: { ErrorMessage: "stopped" }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Metadata: {}
            Steps:
              - Name: Stop
                Type: Fail
                DisplayName: Stop here
                Arguments: { ErrorMessage: "stopped" }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        StructureSchema.forEachObject(in: pipeline) { object, schema, label, step in
            for member in object.members ?? [] where schema[member.key] == nil {
                let known = Array(schema.keys)
                let hint =
                    Suggestion.hint(member.key, in: known)
                    ?? " (known: \(StepProperties.listing(known)))"
                findings.report("unknown key '\(member.key)' in \(label())\(hint)", at: member.keyLocation, step: step?.name)
            }
        }
    }
}
