import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

/// A step property in a typed API field must have a type that can fill it; the type comes from
/// the lint context's resolution cache, which property-path shares.
@Suite struct PropertyTypeTests {
    static func definition(instanceCount: String) -> String {
        """
        Version: "2020-12-01"
        Steps:
          - Name: Prep
            Type: Processing
            Arguments:
              AppSpecification: { ImageUri: "111111111111.dkr.ecr.us-east-1.amazonaws.com/prep@sha256:\(String(repeating: "a", count: 64))" }
              RoleArn: "arn:aws:iam::111111111111:role/r"
              ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
              ProcessingOutputConfig:
                Outputs: [ { OutputName: o, S3Output: { S3Uri: "s3://b/o", LocalPath: /opt/ml/processing/o, S3UploadMode: EndOfJob } } ]
          - Name: Size
            Type: Lambda
            FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
            OutputParameters: [ { OutputName: count, OutputType: Integer }, { OutputName: label, OutputType: String } ]
            Arguments: {}
          - Name: Train
            Type: Training
            Arguments:
              AlgorithmSpecification: { TrainingInputMode: File, TrainingImage: "111111111111.dkr.ecr.us-east-1.amazonaws.com/t@sha256:\(String(repeating: "b", count: 64))" }
              RoleArn: "arn:aws:iam::111111111111:role/r"
              OutputDataConfig: { S3OutputPath: "s3://b/out" }
              ResourceConfig: { InstanceCount: \(instanceCount), InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 }
              StoppingCondition: { MaxRuntimeInSeconds: 3600 }
        """
    }

    func typeFindings(_ instanceCount: String) -> [Finding] {
        lintDefinition(Self.definition(instanceCount: instanceCount)).filter {
            $0.rule == "arguments-shape" && $0.message.contains("Cannot assign property reference")
        }
    }

    @Test func aStringPropertyCannotFillAnIntegerField() throws {
        let findings = typeFindings(#"{ Get: "Steps.Prep.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri" }"#)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.severity == .error)
        #expect(finding.message.contains("Arguments.ResourceConfig.InstanceCount is an integer field"))
        #expect(finding.message.contains("is a string"))
        #expect(finding.step == "Train")
    }

    @Test func aLambdaOutputIsTheTypeItDeclares() {
        #expect(typeFindings(#"{ Get: "Steps.Size.OutputParameters['count']" }"#).isEmpty)
        #expect(typeFindings(#"{ Get: "Steps.Size.OutputParameters['label']" }"#).count == 1)
        // An output the step does not declare has no type to compare (unknown-output-name says why).
        #expect(typeFindings(#"{ Get: "Steps.Size.OutputParameters['other']" }"#).isEmpty)
    }

    @Test func theSameReferenceTwiceIsJudgedAlikeFromTheCache() {
        // property-path resolves the reference first and fills the cache arguments-shape reads.
        let text = Self.definition(instanceCount: #"{ Get: "Steps.Size.OutputParameters['label']" }"#)
            .replacingOccurrences(
                of: "StoppingCondition: { MaxRuntimeInSeconds: 3600 }",
                with: #"StoppingCondition: { MaxRuntimeInSeconds: { Get: "Steps.Size.OutputParameters['label']" } }"#)
        let findings = lintDefinition(text).filter { $0.rule == "arguments-shape" && $0.message.contains("Cannot assign") }
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.message.contains("'Steps.Size.OutputParameters['label']' is a string") })
    }
}
