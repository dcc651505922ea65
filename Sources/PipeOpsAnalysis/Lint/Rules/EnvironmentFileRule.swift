import PipeOpsModel

struct EnvironmentFileRule: Rule {
    static let description = RuleDescription(
        id: "environment-file",
        title: "Environment files have the expected keys and types",
        category: .environments,
        severity: .error,
        rationale: """
            An environment file holds parameters, tags and optional roleArn, region, \
            pipelineName and parallelism. A misspelt key (e.g. 'parameter:') means the \
            environment silently runs with the definition's defaults.
            """,
        triggering: [
            """
            ↓parameter: { InstanceCount: 2 }
            """,
            """
            parameters: { InputData: "s3://b/in" }
            parallelism: ↓0
            """,
        ],
        nonTriggering: [
            """
            parameters: { InputData: "s3://b/in", InstanceCount: 2 }
            tags: { team: ml }
            region: eu-west-1
            parallelism: 4
            """
        ],
        exampleKind: .environment)

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard case .environment = context.role else { return }
        for problem in EnvironmentFile(document: context.document).problems {
            findings.report(
                problem.message, at: problem.location,
                severity: problem.severity == .warning && problem.message.hasPrefix("unknown key") ? .error : problem.severity)
        }
    }
}
