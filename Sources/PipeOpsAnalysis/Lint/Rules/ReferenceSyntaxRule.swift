import PipeOpsModel

struct ReferenceSyntaxRule: Rule {
    static let description = RuleDescription(
        id: "reference-syntax",
        title: "Get references are well formed",
        category: .references,
        severity: .error,
        rationale: """
            A Get names Parameters.<Name>, Execution.<Var>, Steps.<Step>.<path> or \
            PipelineExperimentConfig.ExperimentName/TrialName. Property paths use `.Member`, `[0]` \
            and `['key']` (single quotes, as the SDK writes them).
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: ↓Parameter.Threshold } } }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Check, Type: Condition, Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] } }
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: ↓"Steps.Check.Outcome[" } } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: PipelineExperimentConfig.TrialName } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachReference { reference, node, step in
            switch reference {
            case .invalid(_, let reason):
                findings.report(reason, at: node.location, step: step.findingName)
            case .experimentConfig(let name) where name != "ExperimentName" && name != "TrialName":
                findings.report(
                    "'PipelineExperimentConfig.\(name)' does not exist; use ExperimentName or TrialName", at: node.location,
                    step: step.findingName)
            case .stepProperty(_, let path):
                if case .failure(let error) = PropertyPath.parseProperty(path) {
                    findings.report(
                        "invalid property path in '\(reference.text)': \(error.message)", at: node.location, step: step.findingName)
                }
            case .propertyFile(_, let file) where file.isEmpty || file.contains(".") || file.contains("["):
                findings.report(
                    "'\(reference.text)' must name one property file: Steps.<Step>.PropertyFiles.<Name>", at: node.location,
                    step: step.findingName)
            default: break
            }
        }
    }
}
