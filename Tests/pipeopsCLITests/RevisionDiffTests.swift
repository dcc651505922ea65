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

/// `pipeops diff REV_A REV_B`: two releases compared from git's object database.
@Suite struct RevisionDiffTests {
    func edit(_ product: Scratch, _ file: String, _ old: String, _ new: String) throws {
        let path = product.path + "/" + file
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old), "\(file) has \(old)")
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func twoReleasesAreComparedWithoutACheckout() throws {
        let product = try SageMakerCommandTests.product()
        #expect(try CLI.run(["tag", "0.1.0"], in: product.path).status == 0)
        try edit(product, "pipeline/definition.yaml", #"learning_rate: "0.8""#, #"learning_rate: "0.5""#)
        try edit(product, "environments/dev.yaml", "Epochs: 200", "Epochs: 150")
        try product.git("commit", "-qam", "slower learning")
        #expect(try CLI.run(["tag", "0.2.0"], in: product.path).status == 0)
        // The working tree is back at v0.1.0's files: diff reads the releases from git, not the tree.
        try product.git("checkout", "-q", "v0.1.0")

        let diff = try CLI.run(["diff", "v0.1.0", "v0.2.0"], in: product.path)
        #expect(diff.status == 1, "\(diff.stderr)")
        #expect(diff.stdout.contains("~ step Train (its cached results no longer apply)"), "\(diff.stdout)")
        #expect(diff.stdout.contains(#"Arguments.HyperParameters.learning_rate: "0.8" → "0.5""#), "\(diff.stdout)")
        #expect(diff.stdout.contains("~ environment dev\n    parameters.Epochs: 200 → 150"), "\(diff.stdout)")
        #expect(diff.stdout.contains("The structure changed"))
        #expect(!diff.stdout.contains("step Preprocess"), "an unchanged step is not listed")

        let json = try CLI.run(["diff", "v0.1.0..v0.2.0", "--format", "json"], in: product.path)
        let root = try DocumentLoader.parse(data: Data(json.stdout.utf8), path: "d.json", syntax: .json).root
        #expect(root["structureChanged"]?.bool == true)
        #expect(root["steps"]?.elements?.map { $0["name"]?.string } == ["Train"])

        // A code-only release: the structure is the same, the code is not.
        try product.git("checkout", "-q", "main")
        let script = product.path + "/pipeline/steps/evaluate.py"
        try (try String(contentsOfFile: script, encoding: .utf8) + "\n# stricter\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "evaluate differently")
        #expect(try CLI.run(["tag", "0.2.1"], in: product.path).status == 0)
        let code = try CLI.run(["diff", "v0.2.0", "v0.2.1"], in: product.path)
        #expect(code.status == 1, "\(code.stdout)")
        #expect(code.stdout.contains("~ code pipeline/steps/evaluate.py: sha256:"), "\(code.stdout)")
        #expect(code.stdout.contains("The structure is the same; the code differs"), "\(code.stdout)")

        let same = try CLI.run(["diff", "v0.2.0", "v0.2.0^{commit}"], in: product.path)
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.contains("Identical"))
    }

    @Test func environmentsAndRevisionsAreNeverConfused() throws {
        let product = try SageMakerCommandTests.product()
        try product.git("tag", "prod")
        let ambiguous = try CLI.run(["diff", "staging", "prod"], in: product.path)
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("'prod' is both an environment and a git revision; pass --revisions"), "\(ambiguous.stderr)")
        let mixed = try CLI.run(["diff", "dev", "HEAD"], in: product.path)
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("compare two environments"), "\(mixed.stderr)")
        let unknown = try CLI.run(["diff", "v9.9.9", "HEAD"], in: product.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("'v9.9.9' is neither an environment nor a revision"), "\(unknown.stderr)")
        let forced = try CLI.run(["diff", "--revisions", "prod", "HEAD"], in: product.path)
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
    }
}
