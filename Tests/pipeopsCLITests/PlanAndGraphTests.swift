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

@Suite struct PlanAndGraphTests {
    @Test func graphShowsAnExecutionsStatusesAndTheBranchTaken() throws {
        let product = try SageMakerCommandTests.product()
        let run = try CLI.run(["run", "--env", "dev", "--param", "AccuracyThreshold=0.99", "--format", "json"], in: product.path)
        #expect(run.status == 1)
        let id = try #require(try DocumentLoader.parse(data: Data(run.stdout.utf8), path: "r.json", syntax: .json).root["id"]?.string)
        let graph = try CLI.run(["graph", "--execution", id], in: product.path)
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.contains("|if false (taken)|"), "\(graph.stdout)")
        #expect(graph.stdout.contains("|if true (not taken)|"))
        #expect(graph.stdout.contains("QualityGate (Condition)<br/>Succeeded"), "\(graph.stdout)")
        #expect(graph.stdout.contains("· false"))
        let failed = try #require(graph.stdout.split(separator: "\n").first { $0.contains("AccuracyTooLow (Fail)") })
        let id5 = String(failed.trimmingCharacters(in: .whitespaces).prefix(2))
        #expect(graph.stdout.contains("class \(id5) Failed"), "\(graph.stdout)")
        let dot = try CLI.run(["graph", "--execution", id, "--format", "dot"], in: product.path)
        #expect(dot.stdout.contains("fillcolor=\"#f9d0d0\""), "\(dot.stdout)")
        let missing = try CLI.run(["graph", "--execution", "nosuchexecution"], in: product.path)
        #expect(missing.status == 2)
    }

    @Test func graphWavesShowsWavesAndThePeakAgainstParallelism() throws {
        let product = try SageMakerCommandTests.product()
        let plan = try CLI.run(["graph", "--waves", "--env", "dev"], in: product.path)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.hasPrefix("wave 1: Preprocess\nwave 2: Train\nwave 3: Evaluate\nwave 4: QualityGate\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("wave 5: RegisterModel, AccuracyTooLow (branch alternatives: at most 1 at once)"))
        #expect(plan.stdout.contains("peak concurrency 1; parallelism 4"))

        let wide = Scratch()
        wide.write(
            "wide.yaml",
            """
            Version: "2020-12-01"
            Steps:
              - { Name: A, Type: Fail, Arguments: { ErrorMessage: a } }
              - { Name: B, Type: Fail, Arguments: { ErrorMessage: b } }
              - { Name: C, Type: Fail, Arguments: { ErrorMessage: c } }
              - { Name: D, Type: Fail, DependsOn: [A, B, C], Arguments: { ErrorMessage: d } }
            """)
        wide.write("pipeops.yaml", "version: 1\npipeline: { name: wide, definition: wide.yaml }\n")
        let narrow = try CLI.run(["graph", "--waves", "--parallelism", "2"], in: wide.path)
        #expect(narrow.stdout.contains("wave 1: A, B, C\nwave 2: D\n"), "\(narrow.stdout)")
        #expect(narrow.stdout.contains("peak concurrency 3; parallelism 2: the widest wave waits for 1 step"), "\(narrow.stdout)")
    }
}
