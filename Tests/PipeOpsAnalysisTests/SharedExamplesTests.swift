import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

/// Real SDK output must lint without a single error, and pipeops must understand every construct in it.
@Suite struct SharedExamplesTests {
    static let examples: [String] = {
        let folder = TestPaths.examples
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".sdk.json") }.sorted().map { folder.appendingPathComponent($0).path }
    }()

    @Test func examplesArePresent() {
        #expect(Self.examples.count >= 3, "expected Tests/Fixtures/examples/*.sdk.json")
    }

    @Test(arguments: examples)
    func sdkDefinitionLintsWithoutErrors(_ path: String) throws {
        let findings = try Linter().lintDefinition(atPath: path)
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map { "\($0.location) \($0.rule): \($0.message)" })")
    }

    /// The edges themselves, not only an order (the file's order is already topological, so an
    /// order check alone passes with no edges at all); and the same order from the steps reversed.
    @Test func abaloneGraphHasTheSDKsDependencies() throws {
        let path = try #require(Self.examples.first { $0.hasSuffix("abalone.sdk.json") })
        let document = try DocumentLoader.load(path: path)
        let pipeline = Pipeline(document: document)
        let graph = DependencyGraph(pipeline: pipeline)
        func edge(_ from: String, _ to: String) -> DependencyGraph.EdgeKind? {
            guard let a = pipeline.step(named: from)?.index, let b = pipeline.step(named: to)?.index else { return nil }
            return graph.successors[a].first { $0.to == b }?.kind
        }
        // Data references (Get of a property) link Process → Train → Eval; the Condition owns its branches.
        #expect(edge("AbaloneProcess", "AbaloneTrain") == .data)
        #expect(edge("AbaloneTrain", "AbaloneEval") == .data)
        #expect(edge("AbaloneProcess", "AbaloneEval") == .data)
        #expect(edge("AbaloneMSECond", "AbaloneTransform") == .branch)
        #expect(edge("AbaloneCreateModel-CreateModel", "AbaloneTransform") == .data)
        #expect(edge("AbaloneTrain", "AbaloneProcess") == nil, "no edge runs backwards")
        let transform = try #require(pipeline.step(named: "AbaloneTransform"))
        #expect(transform.membership?.branch == .ifSteps)

        // Steps written in reverse: the order comes from the edges, not from the file.
        var root = pipeline.root
        var members = try #require(root.members)
        let index = try #require(members.firstIndex { $0.key == "Steps" })
        members[index].value = Node(.array(Array((members[index].value.elements ?? []).reversed())))
        root = Node(.object(members))
        var reversedDocument = document
        reversedDocument.root = root
        let reversed = Pipeline(document: reversedDocument)
        let order = try DependencyGraph(pipeline: reversed).topologicalOrder().get().map { reversed.steps[$0].name }
        #expect(order.firstIndex(of: "AbaloneProcess")! < order.firstIndex(of: "AbaloneTrain")!)
        #expect(order.firstIndex(of: "AbaloneTrain")! < order.firstIndex(of: "AbaloneEval")!)
        #expect(order.firstIndex(of: "AbaloneMSECond")! < order.firstIndex(of: "AbaloneTransform")!)
        #expect(order.firstIndex(of: "AbaloneCreateModel-CreateModel")! < order.firstIndex(of: "AbaloneTransform")!)
    }

    @Test func evaluationSampleChecksTheAbaloneJsonGetPath() throws {
        let path = try #require(Self.examples.first { $0.hasSuffix("abalone.sdk.json") })
        let sample = try DocumentLoader.load(path: TestPaths.examples.appendingPathComponent("abalone-evaluation.sample.json").path)
        let options = LintOptions(propertySamples: ["EvaluationReport": .sample(sample.root, source: "sample")])
        let findings = try Linter(options: options).lintDefinition(atPath: path)
        #expect(!findings.contains { $0.rule == "json-path-sample" })

        // The same definition with a path the sample does not have is caught, naming the keys that exist.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "regression_metrics.mse.value", with: "regression_metrics.rmse.value")
        let broken = lintDefinition(text, path: "abalone.json", options: options).filter { $0.rule == "json-path-sample" }
        #expect(broken.count == 1)
        #expect(broken.first?.message.contains("keys there: mse") == true)
    }
}
