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

/// Re-running part of a pipeline: `run --from/--to` locally, `start --select` on SageMaker.
@Suite struct SelectiveRunTests {
    func steps(_ result: CLI.Result) throws -> [String: Node] {
        let root = try DocumentLoader.parse(data: Data(result.stdout.utf8), path: "run.json", syntax: .json).root
        return Dictionary((root["steps"]?.elements ?? []).map { ($0["name"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func runFromEvaluateReusesPreprocessAndTrainAndTakesTheSameBranch() throws {
        let product = try SageMakerCommandTests.product()
        let full = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product.path)
        #expect(full.status == 0, "\(full.stderr)")
        let first = try steps(full)
        let source = try #require(try DocumentLoader.parse(data: Data(full.stdout.utf8), path: "r.json", syntax: .json).root["id"]?.string)

        let partial = try CLI.run(["run", "--env", "dev", "--from", "Evaluate", "--no-cache", "--format", "json"], in: product.path)
        #expect(partial.status == 0, "\(partial.stderr)")
        let second = try steps(partial)
        for name in ["Preprocess", "Train"] {
            #expect(second[name]?["status"]?.string == "Succeeded")
            #expect(second[name]?["reusedFrom"]?.string == source, "\(name) comes from \(source)")
            #expect(
                second[name]?["properties"].map { CanonicalJSON.string($0) } == first[name]?["properties"].map { CanonicalJSON.string($0) })
        }
        #expect(second["Evaluate"]?["reusedFrom"] == nil && second["Evaluate"]?["status"]?.string == "Succeeded")
        #expect(second["Evaluate"]?["cacheHit"]?.isNull != false, "--no-cache: Evaluate ran")
        #expect(second["QualityGate"]?["outcome"]?.bool == first["QualityGate"]?["outcome"]?.bool)
        #expect(second["RegisterModel"]?["status"]?.string == "Succeeded")

        // --to stops after a step; a partial run records no smoke run.
        let upTo = try CLI.run(["run", "--env", "dev", "--to", "Train", "--format", "json"], in: product.path)
        #expect(upTo.status == 0, "\(upTo.stderr)")
        let third = try steps(upTo)
        #expect(third["Evaluate"]?["status"]?.string == "NotRun")
        #expect(third["Train"]?["status"]?.string == "Succeeded")

        let unknown = try CLI.run(["run", "--env", "dev", "--from", "Evaluat"], in: product.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'Evaluate'"), "\(unknown.stderr)")
        let backwards = try CLI.run(["run", "--env", "dev", "--from", "Evaluate", "--to", "Train"], in: product.path)
        #expect(backwards.status == 2)
        #expect(backwards.stderr.contains("does not come after"), "\(backwards.stderr)")
    }

    @Test func runFromWithoutAnEarlierExecutionSaysSo() throws {
        let product = try SageMakerCommandTests.product()
        let result = try CLI.run(["run", "--env", "dev", "--from", "Evaluate"], in: product.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs the results of Preprocess, Train from an earlier execution"), "\(result.stderr)")
    }

    @Test func startSelectChecksPathClosureAndSendsTheSelection() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        let env = SageMakerCommandTests.environment
        // Preprocess and Evaluate, without Train between them: refused before any request.
        let gap = try CLI.run(
            ["start", "--env", "dev", "--select", "Preprocess,Evaluate", "--endpoint-url", moto.endpoint], in: product.path,
            environment: env)
        #expect(gap.status == 2)
        #expect(gap.stderr.contains("--select leaves out Train"), "\(gap.stderr)")
        #expect(try CLI.run(["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: env).status == 0)
        // No earlier execution to take Preprocess and Train from.
        let noSource = try CLI.run(
            ["start", "--env", "dev", "--select", "Evaluate,QualityGate", "--endpoint-url", moto.endpoint], in: product.path,
            environment: env)
        #expect(noSource.status == 2)
        #expect(noSource.stderr.contains("has no execution that Succeeded or Failed"), "\(noSource.stderr)")
        let full = try CLI.run(["start", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: env)
        #expect(full.status == 0, "\(full.stderr)")
        let sourceArn = full.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Through a proxy that forwards everything and logs each request body: the request that
        // reached the service is checked, not a log line.
        let proxy = try FaultProxy(upstream: moto, plan: [])
        let selective = try CLI.run(
            ["start", "--env", "dev", "--select", "Evaluate,QualityGate", "--endpoint-url", proxy.endpoint], in: product.path,
            environment: env)
        #expect(selective.status == 0, "\(selective.stderr)")
        let starts = proxy.entries().filter { $0.target == "SageMaker.StartPipelineExecution" && $0.forwarded }
        #expect(starts.count == 1)
        let body = try #require(starts.first?.body)
        let request = try DocumentLoader.parse(data: Data(body.utf8), path: "request.json", syntax: .json).root
        let config = try #require(request["SelectiveExecutionConfig"], "no SelectiveExecutionConfig in \(body)")
        #expect(config["SelectedSteps"]?.elements?.compactMap { $0["StepName"]?.string } == ["Evaluate", "QualityGate"])
        #expect(config["SourcePipelineExecutionArn"]?.string == sourceArn, "the newest finished execution is the source")
        #expect(proxy.forwarded("SageMaker.ListPipelineExecutions") >= 1, "the source was looked up")
    }
}
