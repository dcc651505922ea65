import PipeOpsModel

struct UndeclaredPropertyFileRule: Rule {
    static let description = RuleDescription(
        id: "undeclared-property-file",
        title: "JsonGet reads a property file its step declares",
        category: .references,
        severity: .error,
        rationale: """
            Std:JsonGet reads Steps.<Step>.PropertyFiles.<Name>, which must be declared in that \
            step's PropertyFiles; otherwise the file is never registered and the lookup fails \
            ("Property file reference … is undefined").
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Eval
                Type: Processing
                Arguments:
                  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                  AppSpecification: { ImageUri: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingOutputConfig: { Outputs: [ { OutputName: evaluation, S3Output: { S3Uri: "s3://b/e", LocalPath: /opt/ml/processing/evaluation, S3UploadMode: EndOfJob } } ] }
                PropertyFiles: [ { PropertyFileName: EvaluationReport, OutputName: evaluation, FilePath: evaluation.json } ]
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { PropertyFile: { Get: ↓Steps.Eval.PropertyFiles.Report }, Path: mse } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Eval
                Type: Processing
                Arguments:
                  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                  AppSpecification: { ImageUri: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingOutputConfig: { Outputs: [ { OutputName: evaluation, S3Output: { S3Uri: "s3://b/e", LocalPath: /opt/ml/processing/evaluation, S3UploadMode: EndOfJob } } ] }
                PropertyFiles: [ { PropertyFileName: EvaluationReport, OutputName: evaluation, FilePath: evaluation.json } ]
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { PropertyFile: { Get: Steps.Eval.PropertyFiles.EvaluationReport }, Path: mse } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        context.forEachReference { reference, node, step in
            guard case .propertyFile(let target, let file) = reference, let producer = pipeline.step(named: target),
                producer.type == .processing
            else { return }
            let declared = producer.propertyFiles.map(\.name)
            guard !declared.contains(file) else { return }
            let hint =
                Suggestion.hint(file, in: declared)
                ?? (declared.isEmpty ? "; add it to the step's PropertyFiles" : " (declared: \(declared.joined(separator: ", ")))")
            findings.report("step '\(target)' declares no property file '\(file)'\(hint)", at: node.location, step: step.findingName)
        }
    }
}
