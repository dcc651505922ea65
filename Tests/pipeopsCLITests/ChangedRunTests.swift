import Foundation
import PipeOpsTestSupport
import Testing

/// `run --changed`: only the steps whose inputs differ from the reference execution's (the
/// environment's last succeeded run in the ledger) and everything downstream run; the rest take
/// the reference's results, and the output says why each step runs.
@Suite struct ChangedRunTests {
    static func steps(_ output: String) throws -> [String: [String: Any]] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        var steps: [String: [String: Any]] = [:]
        for step in root["steps"] as? [[String: Any]] ?? [] { steps[step["name"] as? String ?? ""] = step }
        return steps
    }

    @Test func onlyChangedStepsAndTheirDownstreamRun() throws {
        let product = try SageMakerCommandTests.product()
        let none = try CLI.run(["run", "--env", "dev", "--changed"], in: product.path)
        #expect(none.status == 2 && none.stderr.contains("no succeeded local run of dev is recorded"), "\(none.stderr)")

        let first = try CLI.run(["run", "--env", "dev", "--no-cache", "--format", "json"], in: product.path)
        #expect(first.status == 0, "\(first.stderr)")
        let reference = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["id"] as? String)

        // Nothing changed: every step that runs a process takes the reference's result.
        let same = try Self.steps(try CLI.run(["run", "--env", "dev", "--changed", "--format", "json"], in: product.path).stdout)
        for name in ["Preprocess", "Train", "Evaluate", "RegisterModel"] {
            #expect(same[name]?["reusedFrom"] as? String == reference, "\(name): \(same[name] ?? [:])")
        }

        // The evaluation script changed: Evaluate runs, and what comes after it; the rest are reused.
        let script = product.path + "/pipeline/steps/evaluate.py"
        try (try String(contentsOfFile: script, encoding: .utf8) + "\n# a stricter evaluation\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        let changed = try Self.steps(
            try CLI.run(["run", "--env", "dev", "--changed", "--against", "dev", "--format", "json"], in: product.path).stdout)
        #expect(changed["Preprocess"]?["reusedFrom"] != nil && changed["Train"]?["reusedFrom"] != nil, "the last run is the reference")
        #expect(
            changed["Evaluate"]?["reusedFrom"] == nil && changed["Evaluate"]?["status"] as? String == "Succeeded",
            "\(changed["Evaluate"] ?? [:])")
        #expect(changed["RegisterModel"]?["reusedFrom"] == nil, "downstream of a changed step runs too")
        // The text output says why each step runs (another change: that run is now the reference).
        try (try String(contentsOfFile: script, encoding: .utf8) + "# and stricter still\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        let text = try CLI.run(["run", "--env", "dev", "--changed"], in: product.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.contains("--changed: the reference is execution"), "\(text.stderr)")
        #expect(text.stdout.contains("· Evaluate runs: changed since execution"), "the changed attribute is named: \(text.stdout)")
        #expect(text.stdout.contains("ProcessingInputs[2].S3Input.S3Uri"), "the code's content address: \(text.stdout)")
        #expect(text.stdout.contains("· RegisterModel runs: a step it depends on ran again"), "\(text.stdout)")
        #expect(text.stdout.contains("↺ Train reused from execution"), "\(text.stdout)")

        // A reference that is not recorded, and flags that do not go together, are clear errors.
        let staging = try CLI.run(["run", "--env", "dev", "--changed", "--against", "staging"], in: product.path)
        #expect(staging.status == 2 && staging.stderr.contains("no succeeded local run of staging"), "\(staging.stderr)")
        let both = try CLI.run(["run", "--env", "dev", "--changed", "--from", "Train"], in: product.path)
        #expect(both.status == 2 && both.stderr.contains("drop --from/--to"), "\(both.stderr)")
    }
}
