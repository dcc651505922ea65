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

/// `cache explain` predicts what `run` then does, with the engine's own key function.
@Suite struct CacheExplainTests {
    func predictions(_ product: Scratch, _ extra: [String] = []) throws -> [String: (verdict: String, changes: [String])] {
        let result = try CLI.run(["cache", "explain", "--env", "dev", "--format", "json"] + extra, in: product.path)
        try #require(result.status == 0, "\(result.stderr)")
        let root = try DocumentLoader.parse(data: Data(result.stdout.utf8), path: "explain.json", syntax: .json).root
        var table: [String: (String, [String])] = [:]
        for step in root["steps"]?.elements ?? [] {
            let changes = (step["changes"]?.elements ?? []).map {
                "\($0["path"]?.string ?? ""): \($0["old"]?.string ?? "-") → \($0["new"]?.string ?? "-")"
            }
            table[step["name"]?.string ?? ""] = (step["prediction"]?.string ?? "", changes)
        }
        return table
    }

    /// Steps that ran (not from the cache) in a `run --format json`, among the cacheable ones.
    func executed(_ result: CLI.Result) throws -> Set<String> {
        let root = try DocumentLoader.parse(data: Data(result.stdout.utf8), path: "run.json", syntax: .json).root
        return Set(
            (root["steps"]?.elements ?? []).filter { $0["cacheHit"]?.isNull ?? true }.compactMap { $0["name"]?.string }
                .filter { ["Preprocess", "Train", "Evaluate"].contains($0) })
    }

    @Test func aChangedHyperparameterIsPredictedExactlyAsRunThenBehaves() throws {
        let product = try SageMakerCommandTests.product()
        #expect(try CLI.run(["run", "--env", "dev"], in: product.path).status == 0)
        // A newer run with other values (staging's epochs): a dev change is still explained
        // against the dev run, the nearest key, not against the newest.
        #expect(try CLI.run(["run", "--env", "staging"], in: product.path).status == 0)
        let warm = try predictions(product)
        #expect(warm["Preprocess"]?.verdict == "hit" && warm["Train"]?.verdict == "hit" && warm["Evaluate"]?.verdict == "hit")
        #expect(warm["QualityGate"]?.verdict == "not-cacheable")

        let file = product.path + "/pipeline/definition.yaml"
        try
            (try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
                of: #"learning_rate: "0.8""#, with: #"learning_rate: "0.7""#))
            .write(toFile: file, atomically: true, encoding: .utf8)
        let predicted = try predictions(product)
        #expect(predicted["Preprocess"]?.verdict == "hit")
        #expect(predicted["Train"]?.verdict == "miss")
        #expect(
            predicted["Train"]?.changes == [#"HyperParameters.learning_rate: "0.8" → "0.7""#], "\(String(describing: predicted["Train"]))")
        #expect(predicted["Evaluate"]?.verdict == "miss", "Evaluate takes the model Train makes anew")
        let misses = Set(predicted.filter { $0.value.verdict == "miss" }.map(\.key))

        let run = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try executed(run) == misses, "the prediction is what run did")

        // A parameter given on the command line is explained the same way.
        let epochs = try predictions(product, ["--param", "Epochs=250"])
        #expect(epochs["Train"]?.changes == [#"HyperParameters.epochs: "200" → "250""#])
        let epochRun = try CLI.run(["run", "--env", "dev", "--param", "Epochs=250", "--format", "json"], in: product.path)
        #expect(try executed(epochRun) == Set(epochs.filter { $0.value.verdict == "miss" }.map(\.key)))
    }

    @Test func fieldsThatDefeatCachingAreFlagged() throws {
        let product = try SageMakerCommandTests.product()
        let file = product.path + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
            of: #"learning_rate: "0.8""#, with: #"learning_rate: "0.8"\#n        run_id: { Get: Execution.PipelineExecutionId }"#)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["cache", "explain", "Train", "--env", "dev"], in: product.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains("HyperParameters.run_id takes Execution.PipelineExecutionId, which is new in every execution"),
            "\(result.stdout)")
        let unknown = try CLI.run(["cache", "explain", "Trainn", "--env", "dev"], in: product.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'Train'"), "\(unknown.stderr)")
    }
}
