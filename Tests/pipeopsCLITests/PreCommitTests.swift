import Foundation
import PipeOpsTestSupport
import Testing

/// pipeops's `.pre-commit-hooks.yaml`: a valid manifest, and `pre-commit try-repo` of this
/// repository runs the hook on a scaffolded product: it passes a clean product, fails one with a
/// lint error, and is skipped when a commit touches no product file.
@Suite struct PreCommitTests {
    @Test func theHookIsValidAndRunsOnAScaffold() throws {
        let hooks = CLI.repository.appendingPathComponent(".pre-commit-hooks.yaml").path
        let valid = try runTool(["pre-commit", "validate-manifest", hooks], in: CLI.repository.path)
        #expect(valid.status == 0, "pre-commit validate-manifest: \(valid.output)")

        let scratch = Scratch()
        _ = try CLI.run(["init", "product", "--name", "churn-model"], in: scratch.path)
        let product = scratch.path + "/product"
        for argv in [["init", "-q", "-b", "main"], ["add", "-A"]] { _ = try GitFixture.run(argv, in: product) }
        // The hook is language: system: pipeops on PATH, as a user installs it.
        let system = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let path = (CLI.binary as NSString).deletingLastPathComponent + ":" + system
        let home = scratch.path + "/pre-commit-home"
        func tryRepo(_ extra: [String]) throws -> (status: Int32, output: String) {
            try runTool(
                ["env", "PATH=\(path)", "PRE_COMMIT_HOME=\(home)", "pre-commit", "try-repo", CLI.repository.path, "pipeops-lint"] + extra,
                in: product)
        }
        let clean = try tryRepo(["--all-files"])
        #expect(clean.status == 0 && clean.output.contains("pipeops lint") && clean.output.contains("Passed"), "\(clean.output)")

        let definition = product + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8)
        try text.replacingOccurrences(of: "Steps.Train.ModelArtifacts", with: "Steps.Trian.ModelArtifacts").write(
            toFile: definition, atomically: true, encoding: .utf8)
        _ = try GitFixture.run(["add", "-A"], in: product)
        let broken = try tryRepo(["--all-files"])
        #expect(broken.status != 0 && broken.output.contains("[unknown-step]"), "\(broken.output)")

        // A commit that touches no product file: the hook is skipped (nothing to lint).
        try "notes\n".write(toFile: product + "/NOTES.txt", atomically: true, encoding: .utf8)
        _ = try GitFixture.run(["reset", "-q"], in: product)
        _ = try GitFixture.run(["add", "NOTES.txt"], in: product)
        let skipped = try tryRepo([])
        #expect(skipped.status == 0 && skipped.output.contains("Skipped"), "\(skipped.output)")
    }
}
