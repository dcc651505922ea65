import PipeOpsModel

struct PropertyFileOutputRule: Rule {
    static let description = RuleDescription(
        id: "property-file-output",
        title: "A property file's OutputName is an output of its step",
        category: .references,
        severity: .error,
        rationale: """
            A property file is read from <output S3Uri>/<FilePath> of the processing output named \
            by OutputName. If no output has that name the file can never be found, and every \
            JsonGet on it fails at run time.
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
                PropertyFiles: [ { PropertyFileName: EvaluationReport, OutputName: ↓metrics, FilePath: evaluation.json } ]
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
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            let files = step.node["PropertyFiles"]?.elements ?? []
            guard !files.isEmpty else { continue }
            guard step.type == .processing else {
                findings.report(
                    "PropertyFiles only work on Processing steps; step '\(step.name)' is \(step.type?.rawValue ?? "untyped")",
                    at: step.node["PropertyFiles"]!, step: step)
                continue
            }
            let outputs = step.arguments?["ProcessingOutputConfig"]?["Outputs"]?.elements ?? []
            guard outputs.allSatisfy({ $0["OutputName"]?.string != nil }) else { continue }
            let names = outputs.compactMap { $0["OutputName"]?.string }
            var seen: [String: Int] = [:]
            for file in files {
                if let name = file["PropertyFileName"]?.string {
                    if let line = seen[name] {
                        findings.report(
                            "property file '\(name)' is declared twice in step '\(step.name)' (first at line \(line))", at: file, step: step
                        )
                    }
                    seen[name] = file.location.line
                }
                guard let outputNode = file["OutputName"], let output = outputNode.string, !names.contains(output) else { continue }
                let hint =
                    Suggestion.hint(output, in: names)
                    ?? (names.isEmpty ? "; the step declares no outputs" : " (outputs: \(names.joined(separator: ", ")))")
                findings.report(
                    "property file '\(file["PropertyFileName"]?.string ?? "?")' reads output '\(output)', which step '\(step.name)' does not declare\(hint)",
                    at: outputNode, step: step)
            }
        }
    }
}
