import PipeOpsModel

struct PropertyPathRule: Rule {
    static let description = RuleDescription(
        id: "property-path",
        title: "Step property paths exist for the step's type",
        category: .references,
        severity: .error,
        rationale: """
            Steps.<Name>.<path> reads the step's Describe* response (DescribeTrainingJob for \
            Training, …), Outcome of a Condition, OutputParameters of Lambda and Callback steps. \
            A path that the response does not have is rejected, or silently resolves to nothing. \
            Paths are checked against botocore's API model.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification: { TrainingInputMode: File, TrainingImage: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  OutputDataConfig: { S3OutputPath: "s3://b/out" }
                  ResourceConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 }
                  StoppingCondition: { MaxRuntimeInSeconds: 3600 }
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { Get: ↓Steps.Train.ModelArtifacts.S3ModelArtifact } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification: { TrainingInputMode: File, TrainingImage: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  OutputDataConfig: { S3OutputPath: "s3://b/out" }
                  ResourceConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 }
                  StoppingCondition: { MaxRuntimeInSeconds: 3600 }
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { "Std:Join": { Values: [ { Get: Steps.Train.ModelArtifacts.S3ModelArtifacts }, { Get: "Steps.Train.FinalMetricDataList['val:rmse'].Value" } ] } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachReference { reference, node, step in
            if case .invalid(let message)? = context.resolution(of: reference) {
                findings.report("'\(reference.text)': \(message)", at: node.location, step: step.findingName)
            }
        }
    }
}
