import PipeOpsModel

struct JSONPathSyntaxRule: Rule {
    static let description = RuleDescription(
        id: "json-path-syntax",
        title: "Std:JsonGet paths are valid and select one value",
        category: .jsonGet,
        severity: .error,
        rationale: """
            JsonGet paths use dots, [index] and ['key'] (an optional leading $ is accepted). \
            Wildcards, filters and deep scans select many values, and a malformed path fails at \
            run time — in the service, often by silently comparing against nothing.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { S3Uri: "s3://b/report.json", Path: ↓"metrics..mse" } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                DependsOn: []
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { S3Uri: "s3://b/report.json", Path: "$.metrics['mse'].values[0]" } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachJsonGet { jsonGet, _, step in
            guard let path = jsonGet.path, let node = jsonGet.pathNode else { return }
            if case .failure(let error) = PropertyPath.parseJSONPath(path) {
                findings.report("invalid JsonGet path \"\(path)\": \(error.message)", at: node, step: step)
            }
        }
    }
}
