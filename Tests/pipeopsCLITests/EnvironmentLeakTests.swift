import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsAnalysis
@testable import PipeOpsApp
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsReporting
@testable import PipeOpsWorkspace

@Suite struct EnvironmentLeakTests {
    @Test func aDevBucketPastedIntoTheDefinitionIsFoundAndBlocksPromote() throws {
        let product = try SageMakerCommandTests.product()
        try Self.pasteDevBucket(product)
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

    /// The rule once fired in a product with one environment: nothing can leak into no other.
    @Test func aProductWithOneEnvironmentHasNoLeak() throws {
        let product = try SageMakerCommandTests.product()
        try Self.pasteDevBucket(product)
        let manifest = product.path + "/pipeops.yaml"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        let start = try #require(text.range(of: "  staging:"))
        let end = try #require(text.range(of: "code:"))
        try (String(text[..<start.lowerBound]) + String(text[end.lowerBound...])).write(toFile: manifest, atomically: true, encoding: .utf8)
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(!lint.stdout.contains("\"rule\": \"environment-leak\""), "\(lint.stdout)")
    }

    /// Code objects in the artifact bucket (a code: prefix, the SDK's uploads) share the bucket of
    /// an environment's data by design; AWS's own image registries are no other account.
    @Test func codeInTheArtifactBucketAndAWSImagesAreNoLeak() throws {
        let product = try SageMakerCommandTests.product()
        let dev = product.path + "/environments/dev.yaml"
        try
            (try String(contentsOfFile: dev, encoding: .utf8).replacingOccurrences(
                of: "InputData: s3://churn-model-artifacts/data/sample/", with: "InputData: s3://churn-model-artifacts/dev/sample/"))
            .write(toFile: dev, atomically: true, encoding: .utf8)
        // The artifact bucket holds dev's data only: the others read theirs elsewhere.
        for name in ["staging", "prod"] {
            let path = product.path + "/environments/\(name).yaml"
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
                of: "InputData: s3://churn-model-artifacts/data/full/", with: "InputData: s3://churn-shared-data/full/"
            ).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let definition = product.path + "/pipeline/definition.yaml"
        try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "ImageUri: 123456789012.dkr.ecr.", with: "ImageUri: 683313688378.dkr.ecr."
        ).write(toFile: definition, atomically: true, encoding: .utf8)
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(try String(contentsOfFile: definition, encoding: .utf8).contains("683313688378"), "the fixture uses an AWS image")
        #expect(!lint.stdout.contains("environment-leak"), "\(lint.stdout)")
        #expect(lint.status == 0, "\(lint.stdout)")
    }

    static func pasteDevBucket(_ product: Scratch) throws {
        let dev = product.path + "/environments/dev.yaml"
        try
            (try String(contentsOfFile: dev, encoding: .utf8).replacingOccurrences(
                of: "InputData: s3://churn-model-artifacts/data/sample/", with: "InputData: s3://churn-dev-bucket/data/sample/"))
            .write(toFile: dev, atomically: true, encoding: .utf8)
        let definition = product.path + "/pipeline/definition.yaml"
        try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "S3Input: { S3Uri: { Get: Parameters.InputData }", with: #"S3Input: { S3Uri: "s3://churn-dev-bucket/data/sample/""#
        ).write(toFile: definition, atomically: true, encoding: .utf8)
    }
}
