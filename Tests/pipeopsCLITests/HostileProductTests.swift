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

/// Products written by someone hostile or careless: nothing a product names may leave it,
/// steps get none of the caller's credentials, and the step supervisor is never looked up in
/// the product.
@Suite struct HostileProductTests {
    static func product() throws -> Scratch { try SageMakerCommandTests.product() }

    static func edit(_ product: Scratch, _ file: String, _ change: (String) -> String) throws {
        let path = product.path + "/" + file
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func lintErrors(_ product: Scratch) throws -> [[String: Any]] {
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        let object = try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any]
        return ((object?["findings"] as? [[String: Any]]) ?? []).filter { $0["severity"] as? String == "error" }
    }

    /// local.s3 mapped to /etc/ staged /etc into a step; `..` staged the parent folder.
    @Test(arguments: ["/etc/", "../"])
    func aLocalS3FolderOutsideTheProductIsAnErrorAtItsLineAndRunRefusesIt(_ folder: String) throws {
        let product = try Self.product()
        try Self.edit(product, "pipeops.yaml") { $0.replacingOccurrences(of: ": tests/fixtures/data/", with: ": \(folder)") }
        let errors = try Self.lintErrors(product)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?["file"] as? String == "pipeops.yaml")
        #expect((errors.first?["message"] as? String)?.contains("is outside the product") == true, "\(errors)")
        let line = try String(contentsOfFile: product.path + "/pipeops.yaml", encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).firstIndex { $0.contains(": \(folder)") }.map { $0 + 1 }
        #expect(errors.first?["line"] as? Int == line)
        for command in [["run", "--env", "dev"], ["render", "--env", "dev"], ["graph"]] {
            let result = try CLI.run(command, in: product.path)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("pipeops.yaml:\(line ?? 0):"), "\(command): \(result.stderr)")
            #expect(result.stderr.components(separatedBy: "error:").count == 2, "one prefix: \(result.stderr)")
        }
    }

    /// A definition path out of the product: a promotion once recorded the hash of a host file.
    @Test func aDefinitionOutsideTheProductIsRefusedByLintRenderAndPromoteRev() throws {
        let product = try Self.product()
        let outside = Scratch()
        let hostile = outside.write("x.yaml", try String(contentsOfFile: product.path + "/pipeline/definition.yaml", encoding: .utf8))
        let climb = String(repeating: "../", count: product.path.split(separator: "/").count) + String(hostile.dropFirst())
        try Self.edit(product, "pipeops.yaml") {
            $0.replacingOccurrences(of: "definition: pipeline/definition.yaml", with: "definition: pipeline/\(climb)")
        }
        #expect(
            try Self.lintErrors(product).contains { ($0["message"] as? String)?.contains("pipeline.definition") == true }, "lint names it")
        let render = try CLI.run(["render", "--env", "dev"], in: product.path)
        #expect(render.status == 2)
        #expect(render.stderr.contains("is outside the product"), "\(render.stderr)")
        try product.git("commit", "-q", "-am", "hostile definition")
        let promote = try CLI.run(["promote", "--to", "staging", "--rev", "HEAD"], in: product.path)
        #expect(promote.status == 2, "\(promote.stderr)")
        #expect(promote.stderr.contains("is outside the product"), "\(promote.stderr)")
        #expect(try product.git("notes", "--ref=pipeops", "list").isEmpty, "nothing was recorded")
    }

    /// A code: folder outside the product passed lint; its error line printed "error:" twice.
    @Test func aCodeFolderOutsideTheProductIsALintErrorAndOneLineElsewhere() throws {
        let product = try Self.product()
        try Self.edit(product, "pipeops.yaml") { $0.replacingOccurrences(of: ": pipeline/steps/", with: ": /usr/lib/") }
        #expect(try Self.lintErrors(product).contains { ($0["message"] as? String)?.contains("the code folder of s3://") == true })
        let render = try CLI.run(["render", "--env", "dev"], in: product.path)
        #expect(render.status == 2)
        #expect(render.stderr.hasPrefix("pipeops.yaml:"), "\(render.stderr)")
        #expect(render.stderr.components(separatedBy: "error:").count == 2, "\(render.stderr)")
    }

    /// Steps received the caller's container-credentials endpoint and token, web identity,
    /// role and profiles. Now they get an allow-list: PATH, HOME, locale, region, PIPEOPS_*.
    @Test func stepsGetNoCredentialOfTheCaller() throws {
        let product = try Self.product()
        let dump = Scratch()
        try Self.edit(product, "pipeops.yaml") {
            $0.replacingOccurrences(
                of: "release:\n",
                with:
                    "  steps:\n    Preprocess: { command: [sh, -c, \"env > \(dump.path)/env.txt; mkdir -p /opt/ml/processing/train /opt/ml/processing/validation /opt/ml/processing/test\"] }\nrelease:\n"
            )
        }
        let secrets = [
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": SageMakerCommandTests.secret,
            "AWS_SESSION_TOKEN": SageMakerCommandTests.token, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-secret-token",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/token", "AWS_ROLE_ARN": "arn:aws:iam::111111111111:role/ci",
            "AWS_PROFILE": "prod-admin", "AWS_SHARED_CREDENTIALS_FILE": "/root/.aws/credentials", "AWS_CONFIG_FILE": "/root/.aws/config",
            "AWS_REGION": "eu-west-1", "GITHUB_TOKEN": "ghp_notforsteps",
        ]
        _ = try CLI.run(["run", "--env", "dev", "--to", "Preprocess"], in: product.path, environment: secrets)
        let seen = try String(contentsOfFile: dump.path + "/env.txt", encoding: .utf8)
        let names = Set(seen.split(separator: "\n").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        // The run's own S3 endpoint settings take these names, with the run's values: its key
        // for the local store, no credential files, no instance metadata.
        let ownedByTheRun: Set = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]
        for (name, value) in secrets where name != "AWS_REGION" {
            #expect(!names.contains(name) || ownedByTheRun.contains(name), "\(name) reached the step")
            #expect(!seen.contains(value), "the value of \(name) reached the step")
        }
        for setting in [
            "AWS_ACCESS_KEY_ID=PIPEOPSLOCAL", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_CONFIG_FILE=/dev/null",
            "AWS_EC2_METADATA_DISABLED=true",
        ] {
            #expect(seen.contains(setting), "the step's boto3 reaches the run's store and nothing else: \(setting)")
        }
        #expect(names.contains("PATH"))
        #expect(seen.contains("AWS_REGION=eu-west-1"), "a region is no credential")
        #expect(names.contains("PIPEOPS_STEP"))
    }

    /// Run from PATH inside a product, the helper was looked up in the current directory (and an
    /// executable ./pipeops-sandbox there would have been run). It is found beside the binary.
    @Test func theStepSupervisorIsFoundBesideTheBinaryNotInTheProduct() throws {
        let product = try Self.product()
        let decoy = product.write("pipeops-sandbox", "#!/bin/sh\necho decoy\n")
        chmod(decoy, 0o755)
        let bin = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        let result = try runTool(["sh", "-c", "cd \(product.path) && PATH=\(bin):/usr/bin:/bin pipeops doctor"], in: product.path)
        #expect(result.output.contains("sandbox helper  \(bin)/pipeops-sandbox"), "\(result.output)")
        #expect(!result.output.contains(decoy))
    }

    /// `tag patch` twice on one commit made two tags.
    @Test func taggingAReleasedCommitAgainMakesNoSecondTag() throws {
        let product = try Self.product()
        #expect(try CLI.run(["tag", "patch"], in: product.path).status == 0)
        let again = try CLI.run(["tag", "patch"], in: product.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("is already released as v0.0.1"), "\(again.stdout)")
        #expect(try product.git("tag", "--list").split(separator: "\n") == ["v0.0.1"])
    }

    /// An environment file with thousands of unknown parameters gave one finding each.
    @Test func thousandsOfBadParametersGiveAFewHundredFindingsAndACount() throws {
        let product = try Self.product()
        let lines = (0..<5000).map { "  Unknown\($0): 1" }.joined(separator: "\n")
        try Self.edit(product, "environments/dev.yaml") { $0.replacingOccurrences(of: "parameters:\n", with: "parameters:\n\(lines)\n") }
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        let findings = try #require(
            (try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])
        let byRule = Dictionary(grouping: findings) { $0["rule"] as? String ?? "" }
        #expect(byRule.values.allSatisfy { $0.count <= Linter.findingsPerRule + 1 }, "\(byRule.mapValues(\.count))")
        #expect(findings.contains { ($0["message"] as? String)?.contains("more findings of") == true })
        #expect(lint.status == 1)
    }
}
