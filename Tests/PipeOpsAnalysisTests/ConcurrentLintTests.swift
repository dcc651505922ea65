import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

/// A large definition's rules run on several threads: the findings, their order and the
/// property-path answers must be what one thread finds.
@Suite struct ConcurrentLintTests {
    /// A chain of Processing steps, each reading the last one's output, with mistakes of many
    /// rules spread through it.
    func definition(steps: Int) -> String {
        var list: [String] = []
        for i in 0..<steps {
            let input =
                i == 0
                ? #"{"Get": "Parameters.Input"}"# : #"{"Get": "Steps.S\#(i - 1).ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"}"#
            let count = i % 97 == 5 ? #""two""# : "1"
            let role = i % 89 == 3 ? "7" : #""arn:aws:iam::111111111111:role/r""#
            let depends = i % 83 == 7 ? #", "DependsOn": ["Missing\#(i)"]"# : ""
            let badPath = i % 79 == 11 ? #", "Environment": {"X": {"Get": "Steps.S0.ProcessingOutputConfig.Outputz"}}"# : ""
            let cache = i % 71 == 2 ? #", "CacheConfig": {"Enabled": true}"# : ""
            list.append(
                #"{"Name": "S\#(i)", "Type": "Processing"\#(depends)\#(cache), "Arguments": {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": \#(count), "VolumeSizeInGB": 30}}, "AppSpecification": {"ImageUri": "111111111111.dkr.ecr.us-east-1.amazonaws.com/x:1"}, "RoleArn": \#(role)\#(badPath), "ProcessingInputs": [{"InputName": "in", "S3Input": {"S3Uri": \#(input), "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File"}}], "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "S3Output": {"S3Uri": "s3://b/\#(i)", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]}}}"#
            )
        }
        return
            #"{"Version": "2020-12-01", "Parameters": [{"Name": "Input", "Type": "String"}, {"Name": "Unused", "Type": "String"}], "Steps": [\#(list.joined(separator: ", "))]}"#
    }

    @Test func severalThreadsFindWhatOneFinds() throws {
        let text = definition(steps: 500)
        let document = try DocumentLoader.parse(data: Data(text.utf8), path: "big.json")
        #expect(document.byteCount >= Linter.concurrentBytes)
        let rules = RuleRegistry.rules
        func findings(workers: Int) -> [Finding] {
            let pipeline = Pipeline(document: document)
            let context = LintContext(document: document, role: .definition, pipeline: pipeline)
            return Linter.check(rules, context, workers: workers).flatMap { $0 }
        }
        let one = findings(workers: 1)
        // Mistakes of at least these rules are in the definition: the comparison is not of two empty lists.
        let found = Set(one.map(\.rule))
        for rule in ["arguments-shape", "unknown-step", "property-path", "cache-without-expiry", "unused-parameter"] {
            #expect(found.contains(rule), "\(rule) found nothing: \(found.sorted())")
        }
        for workers in [2, 4] {
            #expect(findings(workers: workers) == one)
        }
        // The linter itself takes the several-thread path for a document this size.
        #expect(
            Linter().lint(definition: document)
                == Linter().suppress(one, in: LintContext(document: document, role: .definition, pipeline: Pipeline(document: document))))
    }
}
