import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

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
            "Lambda", "Callback", "EMR", "EMRServerless", "QualityCheck", "ClarifyCheck", "AutoML", "ForEach", "Job", "Cleanup",
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

    /// SDK output pretty-printed with one mutation applied, linted from a file like a user's.
    static func mutated(_ fixture: String, _ change: (inout [String: Any]) throws -> Void) throws -> (Pipeline, [Finding]) {
        let data = try Data(contentsOf: TestPaths.sdkCorpus.appendingPathComponent(fixture))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        try change(&object)
        let text = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        let directory = TemporaryDirectory()
        let path = directory.write("mutated.json", String(decoding: text, as: UTF8.self))
        return (Pipeline(document: try DocumentLoader.load(path: path)), try Linter().lintDefinition(atPath: path))
    }

    @Test func elevenProcessingInputsAreAnErrorAtTheEleventh() throws {
        let (pipeline, findings) = try Self.mutated("v2/processing-script-and-sklearn.json") { object in
            var steps = try #require(object["Steps"] as? [[String: Any]])
            var arguments = try #require(steps[0]["Arguments"] as? [String: Any])
            let input = try #require((arguments["ProcessingInputs"] as? [[String: Any]])?.first)
            arguments["ProcessingInputs"] = (0..<11).map { index in input.merging(["InputName": "in\(index)"]) { $1 } }
            steps[0]["Arguments"] = arguments
            object["Steps"] = steps
        }
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["arguments-shape"], "\(errors.map(\.message))")
        let eleventh = try #require(pipeline.steps[0].arguments?["ProcessingInputs"]?.elements?[10])
        #expect(errors.first?.location == eleventh.location)
        #expect(errors.first?.message.contains("has 11 entries; the API allows 0–10") == true)
    }

    @Test func aStringParameterAsAnInstanceCountIsAnErrorAtTheReference() throws {
        let (pipeline, findings) = try Self.mutated("v2/training-estimators.json") { object in
            var steps = try #require(object["Steps"] as? [[String: Any]])
            var arguments = try #require(steps[1]["Arguments"] as? [String: Any])
            var resources = try #require(arguments["ResourceConfig"] as? [String: Any])
            resources["InstanceCount"] = ["Get": "Parameters.TrainingInstanceType"]
            arguments["ResourceConfig"] = resources
            steps[1]["Arguments"] = arguments
            object["Steps"] = steps
        }
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["arguments-shape"], "\(errors.map(\.message))")
        let reference = try #require(pipeline.step(named: "Train")?.arguments?["ResourceConfig"]?["InstanceCount"]?["Get"])
        #expect(errors.first?.location == reference.location)
        #expect(errors.first?.message.contains("Parameters.TrainingInstanceType is a String parameter") == true)
    }
}
