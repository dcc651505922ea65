import Foundation
import Testing

@testable import PipeOpsKit

/// Every definition the SageMaker SDK wrote for scripts/sdk-corpus lints with zero errors, and
/// with exactly the warnings listed (and justified) in Tests/Fixtures/sdk/expected-warnings.txt.
@Suite struct SdkCorpusTests {
    static let fixtures: [String] = ["v2", "v3"].flatMap { major -> [String] in
        let folder = TestPaths.sdkCorpus.appendingPathComponent(major)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { "\(major)/\($0)" }
    }

    /// `file -> ["rule step", …]` from the expectations file.
    static let expectedWarnings: [String: [String]] = {
        let path = TestPaths.sdkCorpus.appendingPathComponent("expected-warnings.txt").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var expected: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(separator: " ").map(String.init)
            guard words.count == 3 else { continue }
            expected[words[0], default: []].append("\(words[1]) \(words[2])")
        }
        return expected
    }()

    @Test func corpusHoldsBothSDKsAndTheirVersions() throws {
        #expect(Self.fixtures.filter { $0.hasPrefix("v2/") }.count >= 10)
        #expect(Self.fixtures.filter { $0.hasPrefix("v3/") }.count >= 3)
        let versions = try String(contentsOf: TestPaths.sdkCorpus.appendingPathComponent("VERSIONS"), encoding: .utf8)
        #expect(versions.contains("v2 sagemaker==2."))
        #expect(versions.contains("v3 sagemaker==3."))
    }

    @Test func corpusCoversEveryStepTypeTheSDKEmits() throws {
        var types = Set<String>()
        var triggers = Set<String>()
        for fixture in Self.fixtures {
            let pipeline = Pipeline(document: try DocumentLoader.load(path: TestPaths.sdkCorpus.appendingPathComponent(fixture).path))
            for step in pipeline.steps {
                types.insert(step.type?.rawValue ?? "?")
                for dependency in step.dependsOn { triggers.insert(dependency.trigger.rawValue) }
            }
        }
        let wanted: Set<String> = [
            "Processing", "Training", "Tuning", "Transform", "Model", "RegisterModel", "Condition", "Fail",
            "Lambda", "Callback", "EMR", "EMRServerless", "QualityCheck", "ClarifyCheck", "AutoML", "ForEach",
        ]
        #expect(wanted.subtracting(types).isEmpty, "missing step types: \(wanted.subtracting(types).sorted())")
        #expect(triggers.isSuperset(of: ["Completed", "Failed", "Stopped", "Any"]))
    }

    @Test(arguments: fixtures)
    func sdkDefinitionHasNoErrorsAndOnlyExpectedWarnings(_ fixture: String) throws {
        let findings = try Linter().lintDefinition(atPath: TestPaths.sdkCorpus.appendingPathComponent(fixture).path)
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map { "\($0.location) \($0.rule): \($0.message)" })")
        let warnings = findings.filter { $0.severity == .warning }.map { "\($0.rule) \($0.step ?? "-")" }.sorted()
        #expect(
            warnings == (Self.expectedWarnings[fixture] ?? []).sorted(),
            "\(findings.filter { $0.severity == .warning }.map { "\($0.location) \($0.rule): \($0.message)" })")
    }

    @Test func expectationsNameOnlyExistingFixtures() {
        #expect(Set(Self.expectedWarnings.keys).subtracting(Self.fixtures).isEmpty)
    }

    @Test func forEachBodyIsAScopeWithItsOwnReferences() throws {
        let pipeline = Pipeline(
            document: try DocumentLoader.load(path: TestPaths.sdkCorpus.appendingPathComponent("v3/foreach-selector.json").path))
        let body = try #require(pipeline.step(named: "ScoreRegion"))
        let forEach = try #require(pipeline.step(named: "PerRegion"))
        #expect(body.forEachParent == forEach.index)
        var roots: [String] = []
        body.forEachReference { reference, _ in roots.append(reference.text) }
        #expect(roots == ["ForEach.CurrentItem.region", "ForEach.CurrentItem['weight']"])
        // The downstream step waits for the whole ForEach, not for its body step.
        let graph = DependencyGraph(pipeline: pipeline)
        let publish = try #require(pipeline.step(named: "PublishBest"))
        let froms = Set(graph.predecessors[publish.index].map { pipeline.steps[$0.from].name })
        #expect(froms == ["PerRegion", "PrepEachRegion"])
    }

    @Test func dependsOnTriggersBecomeEdges() throws {
        let pipeline = Pipeline(
            document: try DocumentLoader.load(path: TestPaths.sdkCorpus.appendingPathComponent("v3/step-dependency-triggers.json").path))
        let graph = DependencyGraph(pipeline: pipeline)
        let cleanup = try #require(pipeline.step(named: "Cleanup"))
        let edges = graph.predecessors[cleanup.index].map { "\(pipeline.steps[$0.from].name):\($0.trigger.rawValue)" }.sorted()
        #expect(edges == ["NotifyOnFailure:Stopped", "TrainJob:Any"])
    }
}
