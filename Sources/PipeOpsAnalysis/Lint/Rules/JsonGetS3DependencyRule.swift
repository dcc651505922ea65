import PipeOpsModel

struct JsonGetS3DependencyRule: Rule {
    static let description = RuleDescription(
        id: "json-get-s3-dependency",
        title: "S3Uri JsonGet has a step to wait for",
        category: .jsonGet,
        severity: .warning,
        rationale: """
            A JsonGet on an S3Uri that names no step property creates no dependency, so the step \
            may run before the file is written. The AWS docs require an explicit DependsOn on the \
            producing step in that case.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: ↓{ "Std:JsonGet": { S3Uri: "s3://b/report.json", Path: mse } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Write, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} }
              - Name: Stop
                Type: Fail
                DependsOn: [Write]
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { S3Uri: "s3://b/report.json", Path: mse } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachJsonGet { jsonGet, node, step in
            guard case .s3Uri(let uri) = jsonGet.source, step.dependsOn.isEmpty, step.node["DependsOn"] == nil else { return }
            var namesStep = false
            uri.forEachReference { reference, _ in if reference.stepName != nil { namesStep = true } }
            if !namesStep {
                findings.report(
                    "this JsonGet reads an S3Uri that names no step, so nothing makes step '\(step.name)' wait for the file; add DependsOn on the step that writes it",
                    at: node, step: step)
            }
        }
    }
}
