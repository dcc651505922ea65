import PipeOpsModel

struct VersionRule: Rule {
    static let description = RuleDescription(
        id: "version",
        title: "Version is 2020-12-01",
        category: .structure,
        severity: .error,
        rationale: "The service knows one definition format, \"2020-12-01\"; anything else is rejected by CreatePipeline.",
        triggering: [
            """
            Version: ↓"2021-01-01"
            Steps: []
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps: []
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition, let version = pipeline.root["Version"], let text = version.string else { return }
        if text != "2020-12-01" {
            findings.report("Version is \"\(text)\"; the only definition version SageMaker accepts is \"2020-12-01\"", at: version)
        }
    }
}
