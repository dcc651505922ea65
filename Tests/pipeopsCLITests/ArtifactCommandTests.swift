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

/// Step code and images as part of the version, through the pipeops binary: the local engine,
/// render on two clones, upsert publishing code to moto's S3, and SageMaker evidence for promote.
@Suite struct ArtifactCommandTests {
    static let digest = "sha256:" + String(repeating: "7c", count: 32)
    static let repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-model"
    static let bucket = "churn-model-artifacts"

    /// Per step of a `run --format json`: whether it came from the cache.
    func cacheHits(_ result: CLI.Result) throws -> [String: Bool] {
        let root = try DocumentLoader.parse(data: Data(result.stdout.utf8), path: "run.json", syntax: .json).root
        var hits: [String: Bool] = [:]
        for step in root["steps"]?.elements ?? [] {
            if let name = step["name"]?.string, step["status"]?.string == "Succeeded" { hits[name] = !(step["cacheHit"]?.isNull ?? true) }
        }
        return hits
    }

    @Test func anEditedScriptRunsAgainWithItsDependentsAndNothingElse() throws {
        let product = try SageMakerCommandTests.product()
        let first = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            try cacheHits(first) == ["Preprocess": false, "Train": false, "Evaluate": false, "QualityGate": false, "RegisterModel": false])
        let cached = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product.path)
        #expect(
            try cacheHits(cached) == ["Preprocess": true, "Train": true, "Evaluate": true, "QualityGate": false, "RegisterModel": false])

        let script = product.path + "/pipeline/steps/train.py"
        try (try String(contentsOfFile: script, encoding: .utf8) + "\n# a comment is a change too\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        // What dev last ran against what it would run now: the edited file, old and new hashes.
        let recorded = try CLI.run(["diff", "dev", "dev", "--recorded"], in: product.path)
        #expect(recorded.status == 1, "\(recorded.stdout)\(recorded.stderr)")
        #expect(recorded.stdout.contains("pipeline/steps/train.py (sha256 "), "\(recorded.stdout)")
        #expect(!recorded.stdout.contains("evaluate.py"))
        let edited = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product.path)
        #expect(edited.status == 0, "\(edited.stderr)")
        // Train runs the edit; Evaluate reads Train's new model; Preprocess is untouched.
        #expect(
            try cacheHits(edited) == ["Preprocess": true, "Train": false, "Evaluate": false, "QualityGate": false, "RegisterModel": false])
    }

    @Test func renderGivesTheSameBytesOnTwoClones() throws {
        let product = try SageMakerCommandTests.product()
        let clone = Scratch()
        try clone.git("clone", "-q", product.path, clone.path + "/copy")
        let copy = clone.path + "/copy"
        // Other file times and an ignored cache folder in the clone: the same request.
        _ = try runTool(["touch", "-d", "2001-01-01", copy + "/pipeline/steps/train.py"], in: copy)
        clone.write("copy/pipeline/steps/__pycache__/train.cpython-312.pyc", "junk")
        let a = try CLI.run(["render", "--env", "staging", "--image", "\(Self.repository)@\(Self.digest)"], in: product.path)
        let b = try CLI.run(["render", "--env", "staging", "--image", "\(Self.repository)@\(Self.digest)"], in: copy)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(!a.stdout.isEmpty && a.stdout == b.stdout)
        #expect(a.stdout.contains("s3://\(Self.bucket)/code/"))
        #expect(!a.stdout.contains("s3://\(Self.bucket)/code/train.py"), "code URIs are content-addressed")
        #expect(a.stdout.contains("pipeops:code-sha256"))
        #expect(a.stdout.contains("\(Self.repository)@\(Self.digest)"))
    }

    @Test func upsertPublishesEachCodeObjectOnceAtItsContentAddress() throws {
        let moto = try MotoServer()
        try moto.createBucket(Self.bucket)
        let product = try SageMakerCommandTests.product()
        let dry = try CLI.run(["upsert", "--env", "dev", "--dry-run"], in: product.path)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("3 code objects to check"), "\(dry.stderr)")

        let first = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: SageMakerCommandTests.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3 objects at their content address, 3 uploaded, 0 already there"), "\(first.stdout)")
        let keys = try moto.keys(in: Self.bucket)
        #expect(keys.count == 3)
        for name in ["preprocess.py", "train.py", "evaluate.py"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: product.path + "/pipeline/steps/" + name))
            let file = CodeFile(path: name, sha256: DefinitionHashes.sha256(data), executable: false)
            #expect(keys.contains("code/\(CodeTree.address(of: [file]))/\(name)"), "\(keys)")
        }
        // What the pipeline names is exactly what was uploaded.
        let definition = try CLI.run(["render", "--env", "dev"], in: product.path).stdout
        for key in keys { #expect(definition.contains("s3://\(Self.bucket)/\(key)")) }

        let second = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: SageMakerCommandTests.environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("3 objects at their content address, 0 uploaded, 3 already there"), "\(second.stdout)")
        #expect(try moto.keys(in: Self.bucket) == keys)
        #expect(!second.stdout.contains(SageMakerCommandTests.secret) && !second.stderr.contains(SageMakerCommandTests.secret))
    }

    @Test func upsertRefusesAnUnpinnedImageAfterTheFirstEnvironment() throws {
        let product = try SageMakerCommandTests.product()
        let refused = try CLI.run(["upsert", "--env", "staging", "--dry-run"], in: product.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[image-digest]") && refused.stderr.contains("churn-model:latest"), "\(refused.stderr)")
        let pinned = try CLI.run(
            ["upsert", "--env", "staging", "--dry-run", "--image", "\(Self.repository)@\(Self.digest)"], in: product.path)
        #expect(pinned.status == 0, "\(pinned.stderr)")
        let lint = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(lint.status == 0, "a new product lints without errors: \(lint.stdout)")
        #expect(lint.stdout.contains("\"rule\": \"image-digest\""), "a :latest image is reported")
    }

    /// prod takes only SageMaker evidence (the template says so): a local staging run is not
    /// enough; a succeeded `start --env staging --wait` (moto) of this exact rendering is.
    @Test func prodNeedsAStagingExecutionOnSageMaker() throws {
        let moto = try MotoServer()
        try moto.createBucket(Self.bucket)
        let product = try SageMakerCommandTests.product()
        for environment in ["staging", "prod"] {
            let path = product.path + "/environments/\(environment).yaml"
            try (try String(contentsOfFile: path, encoding: .utf8) + "images:\n  \(Self.repository): \(Self.digest)\n").write(
                toFile: path, atomically: true, encoding: .utf8)
        }
        try product.git("commit", "-qam", "pin the image")
        #expect(try CLI.run(["tag", "1.0.0"], in: product.path).status == 0)
        let env = SageMakerCommandTests.environment
        #expect(try CLI.run(["promote", "--to", "dev"], in: product.path).status == 0)
        let local = try CLI.run(["run", "--env", "staging"], in: product.path)
        #expect(local.status == 0, "\(local.stderr)")
        let notYet = try CLI.run(["promote", "--to", "prod", "--dry-run"], in: product.path)
        #expect(notYet.status == 1)
        #expect(notYet.stdout.contains("requires a SageMaker execution in staging"), "\(notYet.stdout)")
        #expect(notYet.stdout.contains("smoke records, which do not count"), "\(notYet.stdout)")

        let upsert = try CLI.run(["upsert", "--env", "staging", "--endpoint-url", moto.endpoint], in: product.path, environment: env)
        #expect(upsert.status == 0, "\(upsert.stderr)")
        let start = try CLI.run(
            ["start", "--env", "staging", "--wait", "--poll-interval", "0.2", "--endpoint-url", moto.endpoint], in: product.path,
            environment: env)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("evidence: SageMaker ran structure"), "\(start.stdout)\(start.stderr)")
        #expect(start.stdout.contains("DescribePipelineDefinitionForExecution"))
        let status = try CLI.run(["promote", "--status"], in: product.path)
        #expect(status.stdout.contains("SageMaker execution arn:aws:sagemaker:us-east-1:"), "\(status.stdout)")
        let promoted = try CLI.run(["promote", "--to", "prod"], in: product.path)
        #expect(promoted.status == 0, "\(promoted.stdout)\(promoted.stderr)")
        #expect(promoted.stdout.contains("sagemaker in 123456789012/us-east-1"), "\(promoted.stdout)")

        // A code-only change staging has not run: refused, naming the file.
        let script = product.path + "/pipeline/steps/evaluate.py"
        try (try String(contentsOfFile: script, encoding: .utf8) + "\n# stricter\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "evaluate differently")
        #expect(try CLI.run(["tag", "1.0.1"], in: product.path).status == 0)
        let refused = try CLI.run(["promote", "--to", "prod", "--dry-run"], in: product.path)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("pipeline/steps/evaluate.py (sha256 "), "\(refused.stdout)")
    }
}
