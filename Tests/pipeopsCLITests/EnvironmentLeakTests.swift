import Foundation
import Testing

@testable import PipeOpsKit

@Suite struct EnvironmentLeakTests {
    @Test func aDevBucketPastedIntoTheDefinitionIsFoundAndBlocksPromote() throws {
        let product = try SageMakerCommandTests.product()
        let dev = product.path + "/environments/dev.yaml"
        try
            (try String(contentsOfFile: dev, encoding: .utf8).replacingOccurrences(
                of: "InputData: s3://churn-model-artifacts/data/sample/", with: "InputData: s3://churn-dev-bucket/data/sample/"))
            .write(toFile: dev, atomically: true, encoding: .utf8)
        let definition = product.path + "/pipeline/definition.yaml"
        let original = try String(contentsOfFile: definition, encoding: .utf8)
        try original.replacingOccurrences(
            of: "S3Input: { S3Uri: { Get: Parameters.InputData }", with: #"S3Input: { S3Uri: "s3://churn-dev-bucket/data/sample/""#
        ).write(toFile: definition, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "paste the dev bucket")
        try product.git("tag", "-a", "v1.0.0", "-m", "r")

        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("\"rule\": \"environment-leak\""), "\(lint.stdout)")
        #expect(lint.stdout.contains("dev sets InputData to 's3://churn-dev-bucket/data/sample/'"), "\(lint.stdout)")
        let promote = try CLI.run(["promote", "--to", "dev"], in: product.path)
        #expect(promote.status == 1)
        // The environment file's errors stop promote before its gates, with the finding.
        #expect(promote.stderr.contains("[environment-leak]"), "\(promote.stdout)\(promote.stderr)")
        #expect(try product.git("notes", "--ref=pipeops", "list").isEmpty, "nothing recorded")

        // A value every environment shares is not one environment's own: no finding.
        for name in ["staging", "prod"] {
            let path = product.path + "/environments/\(name).yaml"
            try
                (try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
                    of: "InputData: s3://churn-model-artifacts/data/full/", with: "InputData: s3://churn-dev-bucket/data/sample/"))
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        let shared = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(!shared.stdout.contains("\"rule\": \"environment-leak\""), "\(shared.stdout)")
    }

    @Test func theTemplateHasNoLeak() throws {
        let product = try SageMakerCommandTests.product()
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(lint.status == 0)
        #expect(!lint.stdout.contains("environment-leak"))
    }
}
