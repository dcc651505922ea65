import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsWorkspace

/// A copy of Fixtures/product in a real git repository, committed.
final class ProductRepository: @unchecked Sendable {
    let repo: GitFixture
    var path: String { repo.path }

    init(tag: String? = nil) throws {
        repo = try GitFixture(commit: false)
        let source = TestPaths.fixtures.appendingPathComponent("product")
        for item in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: repo.directory.url.appendingPathComponent(item))
        }
        try repo.commitAll("product")
        if let tag { try repo.git("tag", "-a", tag, "-m", "release \(tag)") }
    }

    func context() throws -> ProductContext { try ProductContext.load(from: path) }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path + "/" + relative, encoding: .utf8) }
}

@Suite struct RenderAndDiffTests {
    @Test func renderIsByteIdenticalAcrossRunsAndSyntaxes() throws {
        let product = try ProductRepository()
        let context = try product.context()
        let version = try VersionInfo.gather(from: product.path)
        let first = try Renderer.render(context, environment: try context.environment(named: "staging"), version: version).json
        let second = try Renderer.render(try product.context(), environment: try context.environment(named: "staging"), version: version)
            .json
        #expect(first == second)

        // The same definition written as JSON (different key order, no comments) renders the same bytes.
        let yaml = try DocumentLoader.load(path: product.path + "/pipeline/definition.yaml")
        product.repo.write("pipeline/definition.json", CanonicalJSON.string(yaml.root, sortKeys: false, pretty: true))
        product.repo.write(
            "pipeops.yaml", try product.read("pipeops.yaml").replacingOccurrences(of: "definition.yaml", with: "definition.json"))
        let fromJSON = try product.context()
        let third = try Renderer.render(fromJSON, environment: try fromJSON.environment(named: "staging"), version: version).json
        #expect(third == first)
    }

    @Test func renderAppliesTheEnvironmentAndStamps() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        let context = try product.context()
        let prod = try Renderer.render(
            context, environment: try context.environment(named: "prod"), version: try VersionInfo.gather(from: product.path))
        let request = prod.request
        #expect(request["PipelineName"]?.string == "churn-model")
        #expect(request["RoleArn"]?.string == "arn:aws:iam::222222222222:role/churn-pipeline-prod")
        #expect(request["ParallelismConfiguration"]?["MaxParallelExecutionSteps"]?.int == 8)
        let definition = try DocumentLoader.parse(data: Data(try #require(request["PipelineDefinition"]?.string).utf8), path: "d.json")
        let pipeline = Pipeline(document: definition)
        #expect(pipeline.parameter(named: "TrainingInstanceCount")?.defaultValue?.int == 4)
        #expect(pipeline.parameter(named: "ModelApprovalStatus")?.defaultValue?.string == "Approved")
        let tags = Dictionary(uniqueKeysWithValues: (request["Tags"]?.elements ?? []).map { ($0["Key"]!.string!, $0["Value"]!.string!) })
        #expect(tags["pipeops:version"] == "v1.0.0")
        #expect(tags["pipeops:git-commit"] == (try product.repo.git("rev-parse", "HEAD")))
        #expect(tags["pipeops:environment"] == "prod")
        #expect(tags["cost-center"] == "5678")
        #expect(tags["pipeops:structure-sha256"] == prod.hashes.structure)
    }

    @Test func diffShowsExactlyTheDifferingParametersAndIdenticalStructure() throws {
        let product = try ProductRepository()
        let context = try product.context()
        let staging = try Renderer.render(context, environment: try context.environment(named: "staging"), version: nil)
        let prod = try Renderer.render(context, environment: try context.environment(named: "prod"), version: nil)
        let diff = EnvironmentDiff(context, left: staging, right: prod)
        #expect(diff.structureIdentical)
        #expect(!diff.identical)
        let parameters = diff.rows.filter { $0.section == "parameter" }.map(\.key)
        #expect(parameters == ["ProcessingInstanceType", "TrainingInstanceCount", "InputData", "ModelApprovalStatus"])
        #expect(diff.text.contains("The pipeline structure is identical"))
        let same = EnvironmentDiff(context, left: staging, right: staging)
        #expect(same.identical)
    }

    @Test func badEnvironmentFilesFailWithFileAndLine() throws {
        let product = try ProductRepository()
        product.repo.write("environments/dev.yaml", "parameters:\n  InputData: s3://b/in\n  TrainingInstanceCnt: 2\n  MseThreshold: high\n")
        do {
            _ = try product.context().environment(named: "dev")
            Issue.record("a bad environment file rendered")
        } catch PipeOpsError.findings(let findings) {
            #expect(findings.map { "\($0.location.line) \($0.rule)" } == ["3 environment-parameter", "4 environment-parameter"])
            #expect(findings[0].message.contains("did you mean 'TrainingInstanceCount'?"))
            #expect(findings[0].file.hasSuffix("environments/dev.yaml"))
        }
        product.repo.write("environments/dev.yaml", "parameters: [\n")
        do {
            _ = try product.context().environment(named: "dev")
            Issue.record("invalid YAML rendered")
        } catch PipeOpsError.findings(let findings) {
            #expect(findings.first?.rule == "syntax")
            #expect(findings.first?.file.hasSuffix("environments/dev.yaml") == true)
        }
    }
}

@Suite(.serialized) struct PromoteTests {
    func gates(_ outcome: Promoter.Outcome) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: outcome.gates.map { ($0.name, $0.passed) })
    }

    @Test func gatesRunInTheDocumentedOrder() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        let outcome = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: true)
        #expect(outcome.gates.map(\.name) == Promoter.gateOrder)
        #expect(outcome.passed)
        #expect(outcome.record == nil, "a dry run records nothing")
        #expect(try product.repo.git("notes", "--ref=pipeops", "list").isEmpty)
    }

    @Test func fullPromotionRecordsReadableNotes() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        for environment in ["dev", "staging", "prod"] {
            let outcome = try Promoter.promote(try product.context(), to: environment, from: nil, dryRun: false)
            #expect(outcome.passed, "\(environment): \(outcome.gates.filter { !$0.passed }.map(\.detail))")
            #expect(outcome.record?.environment == environment)
        }
        let note = try product.repo.git("notes", "--ref=pipeops", "show", "HEAD")
        #expect(note.contains("\"environment\" : \"prod\"") || note.contains("\"environment\": \"prod\""))
        #expect(note.contains("\"from\" : \"staging\"") || note.contains("\"from\": \"staging\""))
        let status = try Promoter.status(try product.context())
        #expect(status.map(\.environment) == ["dev", "staging", "prod"])
        #expect(status.allSatisfy { $0.latest?.version == "v1.0.0" })
    }

    @Test func lintGateFailsAlone() throws {
        let product = try ProductRepository()
        product.repo.write(
            "pipeline/definition.yaml",
            try product.read("pipeline/definition.yaml").replacingOccurrences(
                of: "Get: Parameters.MseThreshold }", with: "Get: Parameters.MseTreshold }"))
        try product.repo.commitAll("typo")
        try product.repo.git("tag", "-a", "v1.0.1", "-m", "r")
        let outcome = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false)
        #expect(gates(outcome) == ["images": true, "lint": false, "clean-tree": true, "release-tag": true, "previous-environment": true])
        #expect(outcome.record == nil)
    }

    @Test func cleanTreeGateFailsAlone() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        product.repo.write("notes.txt", "wip\n")
        let outcome = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false)
        #expect(gates(outcome) == ["images": true, "lint": true, "clean-tree": false, "release-tag": true, "previous-environment": true])
    }

    @Test func releaseTagGateFailsAlone() throws {
        let product = try ProductRepository()
        let outcome = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false)
        #expect(gates(outcome) == ["images": true, "lint": true, "clean-tree": true, "release-tag": false, "previous-environment": true])
        #expect(try product.repo.git("notes", "--ref=pipeops", "list").isEmpty)
    }

    @Test func previousEnvironmentGateFailsAlone() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        let outcome = try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: false)
        #expect(gates(outcome) == ["images": true, "lint": true, "clean-tree": true, "release-tag": true, "previous-environment": false])
        #expect(outcome.gates.last?.detail.contains("dev has no recorded promotion or smoke run") == true)
    }

    @Test func structureChangeBetweenStagingAndProdIsRefusedNamingBothHashes() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        _ = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false)
        let staging = try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: false)
        #expect(staging.passed)
        let stagedHash = try #require(staging.record?.structureSha256)
        // A change to the pipeline's structure after staging passed.
        product.repo.write(
            "pipeline/definition.yaml",
            try product.read("pipeline/definition.yaml").replacingOccurrences(
                of: "MaxRuntimeInSeconds: 3600", with: "MaxRuntimeInSeconds: 7200"))
        try product.repo.commitAll("longer training")
        try product.repo.git("tag", "-a", "v1.1.0", "-m", "r")
        let prod = try Promoter.promote(try product.context(), to: "prod", from: nil, dryRun: false)
        #expect(gates(prod) == ["images": true, "lint": true, "clean-tree": true, "release-tag": true, "previous-environment": false])
        let detail = try #require(prod.gates.last?.detail)
        #expect(detail.contains(stagedHash))
        #expect(detail.contains(try #require(prod.rendered?.hashes.structure)))
        #expect(stagedHash != prod.rendered?.hashes.structure)
    }

    @Test func smokeRunCountsForTheNextEnvironment() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        let context = try product.context()
        let dev = try context.environment(named: "dev")
        let artifacts = try Renderer.render(context, environment: dev, version: nil).artifacts
        let record = try Promoter.recordSmokeRun(context, environment: dev, execution: "abc123", artifacts: artifacts)
        #expect(record.kind == .smoke)
        let staging = try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: true)
        #expect(staging.passed)
        #expect(staging.gates.last?.detail.contains("smoke") == true)
    }
}
