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

/// `promote --rev`: any release, forward or back, with every gate applied to that release.
@Suite struct RollbackTests {
    @Test func stagingRollsBackToTheReleaseBeforeWithItsOwnGates() throws {
        let product = try SageMakerCommandTests.product()
        let pin = "images:\n  123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-model: sha256:\(String(repeating: "5e", count: 32))\n"
        let staging = product.path + "/environments/staging.yaml"
        try (try String(contentsOfFile: staging, encoding: .utf8) + pin).write(toFile: staging, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "pin the image")
        #expect(try CLI.run(["tag", "0.1.0"], in: product.path).status == 0)
        #expect(try CLI.run(["promote", "--to", "dev"], in: product.path).status == 0)
        #expect(try CLI.run(["promote", "--to", "staging"], in: product.path).status == 0)

        let definition = product.path + "/pipeline/definition.yaml"
        try
            (try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
                of: "MaxRuntimeInSeconds: 3600", with: "MaxRuntimeInSeconds: 5400")).write(
                toFile: definition, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "longer training")
        #expect(try CLI.run(["tag", "0.2.0"], in: product.path).status == 0)
        #expect(try CLI.run(["promote", "--to", "dev"], in: product.path).status == 0)
        let forward = try CLI.run(["promote", "--to", "staging"], in: product.path)
        #expect(forward.status == 0, "\(forward.stdout)")

        let status = try CLI.run(["promote", "--status"], in: product.path)
        #expect(status.stdout.contains("roll back: pipeops promote --to staging --rev v0.1.0"), "\(status.stdout)")

        // HEAD is v0.2.0 with a dirty tree; the rollback renders v0.1.0 from git regardless.
        product.write("scratch.txt", "uncommitted\n")
        let back = try CLI.run(["promote", "--to", "staging", "--rev", "v0.1.0"], in: product.path)
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains("--rev is release v0.1.0"), "\(back.stdout)")
        #expect(back.stdout.contains("rendered from v0.1.0's files in git"), "\(back.stdout)")
        #expect(back.stdout.contains("promoted v0.1.0 to staging"), "\(back.stdout)")
        let records = try Ledger.records(in: try GitRepository.discover(from: product.path))
        let last = try #require(records.last)
        #expect(last.environment == "staging" && last.version == "v0.1.0")
        #expect(last.commit == (try product.git("rev-parse", "v0.1.0^{commit}")))
        // The user's tree and HEAD were not touched.
        #expect(try product.git("rev-parse", "HEAD") == (try product.git("rev-parse", "v0.2.0^{commit}")))
        #expect(try String(contentsOfFile: definition, encoding: .utf8).contains("MaxRuntimeInSeconds: 5400"))

        // Gates apply to the release: prod from staging needs staging's evidence of v0.1.0's structure.
        let prod = try CLI.run(["promote", "--to", "prod", "--rev", "v0.1.0", "--dry-run"], in: product.path)
        #expect(prod.stdout.contains("requires a SageMaker execution in staging"), "\(prod.stdout)")
        let unknown = try CLI.run(["promote", "--to", "staging", "--rev", "v9.9.9"], in: product.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--rev: 'v9.9.9' names no commit"), "\(unknown.stderr)")
    }
}
