import PipeOpsModel

struct DefinitionSizeRule: Rule {
    static let description = RuleDescription(
        id: "definition-size",
        title: "The definition fits the service's size limit",
        category: .structure,
        severity: .error,
        rationale: """
            PipelineDefinition holds at most 1,048,576 characters of JSON. From 100 KiB the SDK \
            uploads the definition to S3 and passes PipelineDefinitionS3Location instead (info). \
            The size is measured on the compact JSON pipeops would upload, not on the YAML source.
            """,
        triggering: [],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps: []
            """
        ])

    static let limit = 1_048_576
    static let s3Threshold = 102_400

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        // Cheap bound first: the compact JSON is never larger than ~1.1x the source for JSON input.
        if pipeline.document.syntax == .json && pipeline.document.byteCount < Self.s3Threshold / 2 { return }
        let characters = CanonicalJSON.compactLength(pipeline.root, limit: Self.limit)
        if characters > Self.limit {
            findings.report(
                "the definition is over \(Self.limit) characters of JSON, the most CreatePipeline accepts; split the pipeline or move large literals into parameters or S3",
                at: pipeline.root)
        } else if characters >= Self.s3Threshold {
            findings.report(
                "the definition is about \(ByteCount.format(characters)) of JSON; over 100 KiB it is uploaded through PipelineDefinitionS3Location, which needs an S3 bucket",
                at: pipeline.root, severity: .info)
        }
    }
}
