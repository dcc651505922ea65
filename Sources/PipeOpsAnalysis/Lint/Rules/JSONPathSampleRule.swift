import PipeOpsModel

struct JSONPathSampleRule: Rule {
    static let description = RuleDescription(
        id: "json-path-sample",
        title: "JsonGet paths exist in the property file's sample or schema",
        category: .jsonGet,
        severity: .error,
        rationale: """
            The service evaluates a JsonGet path that is not in the file to nothing, and the \
            Condition silently takes the else branch. When pipeops.yaml declares what a property \
            file contains (propertyFiles.<Name>.sample or .schema, or --property-sample \
            NAME=FILE), every path must exist in it and end at a single value; the message lists \
            the keys that do exist where the path breaks.
            """,
        triggering: [],
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
                  ErrorMessage: { "Std:JsonGet": { PropertyFile: { Get: Steps.Eval.PropertyFiles.EvaluationReport }, Path: no.sample.declared } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard !context.propertySamples.isEmpty else { return }
        context.forEachJsonGet { jsonGet, _, step in
            guard let (_, file, _) = jsonGet.propertyFile, let sample = context.propertySamples[file],
                let text = jsonGet.path, let node = jsonGet.pathNode, case .success(let path) = PropertyPath.parseJSONPath(text)
            else { return }
            let outcome: JSONPathCheck.Outcome
            switch sample {
            case .sample(let root, _): outcome = JSONPathCheck.check(path, sample: root)
            case .schema(let root, _): outcome = JSONPathCheck.check(path, schema: root)
            }
            switch outcome {
            case .found: break
            case .missing(let message), .notScalar(let message):
                findings.report("JsonGet path \"\(text)\" on property file '\(file)' (\(sample.source)): \(message)", at: node, step: step)
            }
        }
    }
}
