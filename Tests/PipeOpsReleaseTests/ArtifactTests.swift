import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsWorkspace

/// Content addresses of step code, image references and pins, and the gates that use them.
@Suite struct CodeTreeTests {
    func folder(_ files: [String: String]) -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        for (path, text) in files { directory.write(path, text) }
        return directory
    }

    @Test func theAddressDependsOnPathsModesAndBytesOnlyNotOnTimesOrLitter() throws {
        let a = folder(["train.py": "print(1)\n", "lib/util.py": "X = 1\n"])
        let b = folder(["lib/util.py": "X = 1\n", "train.py": "print(1)\n"])
        // Other times, build litter and hidden files: the same address.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: b.path + "/train.py")
        b.write("__pycache__/train.cpython-312.pyc", "junk")
        b.write("lib/util.pyc", "junk")
        b.write(".DS_Store", "junk")
        let treeA = try CodeTree.read(a.path, display: "a")
        let treeB = try CodeTree.read(b.path, display: "b")
        #expect(treeA.files.map(\.path) == ["lib/util.py", "train.py"])
        #expect(treeB.files == treeA.files)
        #expect(CodeTree.address(of: treeA.files) == CodeTree.address(of: treeB.files))

        // One byte, or the executable bit, is another address.
        b.write("train.py", "print(2)\n")
        let edited = try CodeTree.read(b.path, display: "b")
        #expect(CodeTree.address(of: edited.files) != CodeTree.address(of: treeA.files))
        #expect(chmod(a.path + "/train.py", 0o755) == 0)
        let executable = try CodeTree.read(a.path, display: "a")
        #expect(executable.files.first { $0.path == "train.py" }?.executable == true)
        #expect(CodeTree.address(of: executable.files) != CodeTree.address(of: treeA.files))
        // S3 prefix semantics: "train" names train.py, "lib/" the folder.
        #expect(treeA.files(matching: "train").map(\.path) == ["train.py"])
        #expect(treeA.files(matching: "lib/").map(\.path) == ["lib/util.py"])
        #expect(treeA.files(matching: "").count == 2)
    }

    @Test func aLinkOutOfTheFolderIsRefused() throws {
        let outside = TemporaryDirectory()
        let secret = outside.write("secret.txt", "do not publish")
        let code = folder(["train.py": "x\n"])
        try FileManager.default.createSymbolicLink(atPath: code.path + "/leak.txt", withDestinationPath: secret)
        #expect {
            _ = try CodeTree.read(code.path, display: "pipeline/steps")
        } throws: { error in
            "\(error)".contains("pipeline/steps/leak.txt is a symbolic link out of the code folder")
        }
        // A link that stays inside is hashed like the file it names.
        try FileManager.default.removeItem(atPath: code.path + "/leak.txt")
        try FileManager.default.createSymbolicLink(atPath: code.path + "/alias.py", withDestinationPath: code.path + "/train.py")
        let tree = try CodeTree.read(code.path, display: "pipeline/steps")
        #expect(tree.files.map(\.sha256) == [tree.files[1].sha256, tree.files[1].sha256])
    }
}

@Suite struct ArtifactRewriterTests {
    static let definition = """
        Version: "2020-12-01"
        Parameters:
          - { Name: Image, Type: String, DefaultValue: "111111111111.dkr.ecr.us-east-1.amazonaws.com/eval:1.2" }
          - { Name: Script, Type: String, DefaultValue: "s3://bucket/code/train.py" }
        Steps:
          - Name: Train
            Type: Training
            Arguments:
              AlgorithmSpecification: { TrainingImage: "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn:latest", TrainingInputMode: File }
              InputDataConfig:
                - { ChannelName: code, DataSource: { S3DataSource: { S3DataType: S3Prefix, S3Uri: "s3://bucket/code/train.py" } } }
                - { ChannelName: lib, DataSource: { S3DataSource: { S3DataType: S3Prefix, S3Uri: "s3://bucket/code/lib/" } } }
                - { ChannelName: other, DataSource: { S3DataSource: { S3DataType: S3Prefix, S3Uri: "s3://bucket/codex/train.py" } } }
          - Name: Eval
            Type: Processing
            Arguments:
              AppSpecification: { ImageUri: { Get: Parameters.Image } }
              ProcessingInputs:
                - { InputName: all, S3Input: { S3Uri: "s3://bucket/code", LocalPath: /opt/ml/processing/code } }
        """

    func rewrite(_ text: String = definition, pins: [String: String] = [:]) throws -> (TemporaryDirectory, Node, ArtifactSet) {
        let code = TemporaryDirectory()
        code.write("train.py", "print('train')\n")
        code.write("lib/util.py", "X = 1\n")
        let document = try DocumentLoader.parse(data: Data(text.utf8), path: "definition.yaml")
        let rewriter = ArtifactRewriter(
            folders: [CodeFolder(prefix: "s3://bucket/code/", directory: code.path, display: "pipeline/steps/")], pins: pins,
            display: "definition.yaml")
        let (root, artifacts) = try rewriter.apply(to: document.root)
        return (code, root, artifacts)
    }

    @Test func codeURIsGetTheAddressOfWhatTheyName() throws {
        let (code, root, artifacts) = try rewrite()
        let tree = try CodeTree.read(code.path, display: "x")
        let train = CodeTree.address(of: tree.files(matching: "train.py"))
        let lib = CodeTree.address(of: tree.files(matching: "lib/"))
        let all = CodeTree.address(of: tree.files)
        let channels = try #require(root["Steps"]?.elements?[0]["Arguments"]?["InputDataConfig"]?.elements)
        let uris = channels.map { $0["DataSource"]?["S3DataSource"]?["S3Uri"]?.string }
        #expect(uris == ["s3://bucket/code/\(train)/train.py", "s3://bucket/code/\(lib)/lib/", "s3://bucket/codex/train.py"])
        #expect(
            root["Steps"]?.elements?[1]["Arguments"]?["ProcessingInputs"]?.elements?[0]["S3Input"]?["S3Uri"]?.string
                == "s3://bucket/code/\(all)/")
        // A parameter default naming code is addressed too.
        #expect(root["Parameters"]?.elements?[1]["DefaultValue"]?.string == "s3://bucket/code/\(train)/train.py")
        // Every object once, under its reference's address.
        #expect(Set(artifacts.uploads.map(\.key)).count == artifacts.uploads.count)
        #expect(artifacts.uploads.map(\.uri).contains("s3://bucket/code/\(train)/train.py"))
        #expect(artifacts.uploads.map(\.uri).contains("s3://bucket/code/\(all)/lib/util.py"))
        #expect(artifacts.files.keys.sorted() == ["pipeline/steps/lib/util.py", "pipeline/steps/train.py"])
        // A rendering fed back in is left alone.
        let again = try ArtifactRewriter(
            folders: [CodeFolder(prefix: "s3://bucket/code/", directory: code.path, display: "pipeline/steps")], display: "d"
        ).apply(to: root)
        #expect(CanonicalJSON.string(again.definition) == CanonicalJSON.string(root))
    }

    @Test func aMissingFileIsAnErrorAtItsLineWithASuggestion() throws {
        let text = Self.definition.replacingOccurrences(
            of: "S3Uri: \"s3://bucket/code/train.py\"", with: "S3Uri: \"s3://bucket/code/trian.py\"")
        #expect {
            _ = try rewrite(text)
        } throws: { error in
            let message = (error as? PipeOpsError)?.errorDescription ?? ""
            return message.contains("definition.yaml:11:") && message.contains("'s3://bucket/code/trian.py' names no file")
                && message.contains("train.py")
        }
    }

    @Test func pinsApplyToLiteralsAndToImageParameters() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let (_, root, artifacts) = try rewrite(pins: [
            "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn": digest,
            "111111111111.dkr.ecr.us-east-1.amazonaws.com/eval": digest,
        ])
        #expect(
            root["Steps"]?.elements?[0]["Arguments"]?["AlgorithmSpecification"]?["TrainingImage"]?.string
                == "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn@\(digest)")
        #expect(root["Parameters"]?.elements?[0]["DefaultValue"]?.string == "111111111111.dkr.ecr.us-east-1.amazonaws.com/eval@\(digest)")
        #expect(artifacts.images.allSatisfy { $0.pinnedHere })
        #expect(artifacts.imageReferences.allSatisfy { ImageReference($0)?.isPinned == true })
        let (_, _, unpinned) = try rewrite()
        #expect(
            unpinned.imageReferences.sorted() == [
                "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn:latest", "111111111111.dkr.ecr.us-east-1.amazonaws.com/eval:1.2",
            ])
        #expect(unpinned.sha256 != artifacts.sha256)
    }

    @Test func imageReferencesParse() {
        let cases: [(String, String?, String?, String?)] = [
            ("a.dkr.ecr.us-east-1.amazonaws.com/team/churn:latest", "a.dkr.ecr.us-east-1.amazonaws.com/team/churn", "latest", nil),
            ("localhost:5000/churn", "localhost:5000/churn", nil, nil),
            (
                "localhost:5000/churn:v1@sha256:\(String(repeating: "0", count: 64))", "localhost:5000/churn", "v1",
                "sha256:" + String(repeating: "0", count: 64)
            ),
            ("python", "python", nil, nil),
            ("", nil, nil, nil),
            ("has space:1", nil, nil, nil),
        ]
        for (text, repository, tag, digest) in cases {
            let reference = ImageReference(text)
            #expect(reference?.repository == repository, "\(text)")
            #expect(reference?.tag == tag, "\(text)")
            #expect(reference?.digest == digest, "\(text)")
        }
        #expect(ImageReference("r@sha256:\(String(repeating: "0", count: 64))")?.isPinned == true)
        #expect(ImageReference("r@sha256:ABC")?.isPinned == false)
        #expect(ImageReference("r:latest")?.mutability?.contains(":latest") == true)
    }
}

@Suite(.serialized) struct ArtifactGateTests {
    func gate(_ outcome: Promoter.Outcome, _ name: String) -> Promoter.Gate? { outcome.gates.first { $0.name == name } }

    /// The fixture product with a code folder, tagged, with staging promoted.
    func product() throws -> ProductRepository {
        let product = try ProductRepository()
        product.repo.write("steps/train.py", "print('train')\n")
        let definition = try product.read("pipeline/definition.yaml").replacingOccurrences(
            of: "StoppingCondition: { MaxRuntimeInSeconds: 3600 }",
            with:
                "StoppingCondition: { MaxRuntimeInSeconds: 3600 }\n      Environment: { TRAIN_SCRIPT: \"s3://churn-bucket/code/train.py\" }"
        )
        product.repo.write("pipeline/definition.yaml", definition)
        product.repo.write("pipeops.yaml", try product.read("pipeops.yaml") + "code:\n  \"s3://churn-bucket/code/\": steps/\n")
        try product.repo.commitAll("code folder")
        try product.repo.git("tag", "-a", "v1.0.0", "-m", "r")
        return product
    }

    @Test func aCodeOnlyChangeThatStagingHasNotRunIsRefusedForProdNamingTheFile() throws {
        let product = try product()
        #expect(try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false).passed)
        let staging = try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: false)
        #expect(staging.passed, "\(staging.gates.map(\.detail))")
        // Same structure, other code.
        product.repo.write("steps/train.py", "print('train, better')\n")
        try product.repo.commitAll("better training")
        try product.repo.git("tag", "-a", "v1.0.1", "-m", "r")
        let prod = try Promoter.promote(try product.context(), to: "prod", from: nil, dryRun: true)
        let previous = try #require(gate(prod, "previous-environment"))
        #expect(!previous.passed)
        #expect(previous.detail.contains("steps/train.py (sha256 "), "\(previous.detail)")
        #expect(previous.detail.contains("other code or images"))
        #expect(staging.rendered?.hashes.structure == prod.rendered?.hashes.structure, "the structure did not change")
        // Once dev and then staging ran it, prod may have it.
        #expect(try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: false).passed)
        #expect(try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: false).passed)
        let again = try Promoter.promote(try product.context(), to: "prod", from: nil, dryRun: true)
        #expect(again.passed, "\(again.gates.map(\.detail))")
        let records = try Ledger.records(in: try GitRepository.discover(from: product.path))
        #expect(records.last?.codeFiles?["steps/train.py"] == prod.rendered?.artifacts.files["steps/train.py"]?.sha256)
    }

    @Test func anUnpinnedImageFailsTheImagesGateAfterTheFirstEnvironmentOnly() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        let staging = product.path + "/environments/staging.yaml"
        let text = try String(contentsOfFile: staging, encoding: .utf8)
        try text.components(separatedBy: "images:")[0].write(toFile: staging, atomically: true, encoding: .utf8)
        try product.repo.commitAll("no pin")
        let dev = try Promoter.promote(try product.context(), to: "dev", from: nil, dryRun: true)
        #expect(gate(dev, "images")?.passed == true)
        let outcome = try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: true)
        let images = try #require(gate(outcome, "images"))
        #expect(!images.passed)
        #expect(images.detail.contains("churn:1"), "\(images.detail)")
        #expect(images.detail.contains("[image-digest]"))
    }

    @Test func prodRequiringSageMakerEvidenceRefusesLocalRunsAndPromotions() throws {
        let product = try ProductRepository(tag: "v1.0.0")
        product.repo.write(
            "pipeops.yaml",
            try product.read("pipeops.yaml").replacingOccurrences(
                of: "prod:    { parameters: environments/prod.yaml",
                with: "prod:    { requireEvidence: sagemaker, parameters: environments/prod.yaml"))
        try product.repo.commitAll("prod wants SageMaker evidence")
        try product.repo.git("tag", "-a", "v1.0.1", "-m", "r")
        let context = try product.context()
        #expect(context.manifest.environment(named: "prod")?.requiredEvidence == .sagemaker)
        #expect(try Promoter.promote(context, to: "dev", from: nil, dryRun: false).passed)
        #expect(try Promoter.promote(try product.context(), to: "staging", from: nil, dryRun: false).passed)
        let refused = try Promoter.promote(try product.context(), to: "prod", from: nil, dryRun: true)
        let detail = try #require(gate(refused, "previous-environment"))
        #expect(!detail.passed)
        #expect(detail.detail.contains("requires a SageMaker execution in staging"), "\(detail.detail)")
        #expect(detail.detail.contains("promotion records, which do not count"))
        // A SageMaker record of this exact rendering of staging counts.
        let version = try VersionInfo.gather(from: product.path)
        let rendered = try Renderer.render(try product.context(), environment: try context.environment(named: "staging"), version: version)
        let record = try Promoter.recordSageMakerRun(
            try product.context(), rendered: rendered,
            executionArn: "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-model/execution/abc", version: version)
        #expect(record.account == "123456789012" && record.region == "eu-west-1")
        let accepted = try Promoter.promote(try product.context(), to: "prod", from: nil, dryRun: true)
        #expect(accepted.passed, "\(accepted.gates.map(\.detail))")
        #expect(gate(accepted, "previous-environment")?.detail.contains("sagemaker in 123456789012/eu-west-1") == true)
    }
}
