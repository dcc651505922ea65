import PipeOpsModel

struct JsonGetStepTypeRule: Rule {
    static let description = RuleDescription(
        id: "json-get-step-type",
        title: "Property files belong to Processing steps",
        category: .references,
        severity: .error,
        rationale: """
            Only Processing steps write property files (PropertyFiles are read from a processing \
            output). A JsonGet on another step's PropertyFiles fails ("can only be evaluated on \
            processing step outputs"); read a Training step's results with the S3Uri form instead.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Check, Type: Condition, Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] } }
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { PropertyFile: { Get: ↓Steps.Check.PropertyFiles.Report }, Path: mse } }
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
                PropertyFiles: [ { PropertyFileName: Report, OutputName: evaluation, FilePath: evaluation.json } ]
              - Name: Stop
                Type: Fail
                Arguments:
                  ErrorMessage: { "Std:JsonGet": { PropertyFile: { Get: Steps.Eval.PropertyFiles.Report }, Path: mse } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        context.forEachReference { reference, node, step in
            guard case .propertyFile(let target, _) = reference, let producer = pipeline.step(named: target),
                let type = producer.type, type != .processing, type.isKnown
            else { return }
            findings.report(
                "'\(reference.text)' reads a property file of \(type.rawValue) step '\(target)'; only Processing steps have property files",
                at: node.location, step: step.findingName)
        }
    }
}
