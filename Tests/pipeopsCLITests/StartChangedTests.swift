import Foundation
import PipeOpsTestSupport
import Testing

/// `start --changed` on the SageMaker API (moto): what changed since the environment's last
/// succeeded execution in the ledger starts as a selective execution with that execution as its
/// source; nothing changed starts nothing.
@Suite struct StartChangedTests {
    @Test func aSelectiveExecutionOfWhatChangedWithTheRecordedExecutionAsSource() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        try moto.createBucket("churn-model-artifacts")
        let proxy = try FaultProxy(upstream: moto)
        let environment = SageMakerCommandTests.environment
        func pipeops(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try CLI.run(arguments + ["--endpoint-url", proxy.endpoint], in: product.path, environment: environment)
            return (result.status, result.stdout, result.stderr)
        }
        let early = try pipeops(["start", "--env", "dev", "--changed"])
        #expect(early.status == 2 && early.stderr.contains("no succeeded SageMaker execution of dev is recorded"), "\(early.stderr)")
        #expect(try pipeops(["upsert", "--env", "dev"]).status == 0)
        let full = try pipeops(["start", "--env", "dev", "--wait", "--poll-interval", "0.2"])
        #expect(full.status == 0 && full.stdout.contains("evidence: SageMaker ran"), "\(full.stdout)\(full.stderr)")
        let reference = try #require(full.stdout.split(separator: "\n").first.map(String.init))

        let starts = { proxy.entries().filter { $0.target == "SageMaker.StartPipelineExecution" } }
        let before = starts().count
        let nothing = try pipeops(["start", "--env", "dev", "--changed"])
        #expect(nothing.status == 0 && nothing.stderr.contains("nothing changed since execution \(reference)"), "\(nothing.stderr)")
        #expect(starts().count == before, "nothing changed: nothing was started")

        let script = product.path + "/pipeline/steps/evaluate.py"
        try (try String(contentsOfFile: script, encoding: .utf8) + "\n# a stricter evaluation\n").write(
            toFile: script, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "evaluate differently")
        #expect(try pipeops(["upsert", "--env", "dev"]).status == 0)
        let changed = try pipeops(["start", "--env", "dev", "--changed"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains("--changed: Evaluate runs: its definition changed since"), "\(changed.stderr)")
        #expect(
            changed.stderr.contains("ProcessingInputs[2].S3Input.S3Uri"),
            "the changed field: the script's content address: \(changed.stderr)")
        #expect(changed.stderr.contains("--changed: RegisterModel runs: a step it depends on runs"), "\(changed.stderr)")
        let body = try #require(starts().last?.body)
        let request = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let config = try #require(request["SelectiveExecutionConfig"] as? [String: Any], "\(body)")
        #expect(config["SourcePipelineExecutionArn"] as? String == reference, "\(config)")
        let selected = Set(((config["SelectedSteps"] as? [[String: Any]]) ?? []).compactMap { $0["StepName"] as? String })
        #expect(selected.contains("Evaluate") && selected.contains("RegisterModel"), "\(selected)")
        #expect(!selected.contains("Preprocess") && !selected.contains("Train"), "unchanged steps come from the source: \(selected)")
    }
}
