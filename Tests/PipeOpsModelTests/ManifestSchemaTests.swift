import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// The manifest parser and schemas/pipeops.schema.json describe the same file: every key the
/// parser allows is in the schema, every key the schema allows is read by the parser, and every
/// example the schema gives validates against it and parses without a problem.
@Suite struct ManifestSchemaTests {
    static let schemaURL = TestPaths.repository.appendingPathComponent("schemas/pipeops.schema.json")

    static func schema() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
    }

    /// The object schema at `path` (`*` steps into `additionalProperties`).
    static func object(at path: [String], in root: [String: Any]) -> [String: Any]? {
        var node = root
        for segment in path {
            let next = segment == "*" ? node["additionalProperties"] : (node["properties"] as? [String: Any])?[segment]
            guard let object = next as? [String: Any] else { return nil }
            node = object
        }
        return node
    }

    @Test(arguments: Manifest.Keys.objects.map { $0.path.joined(separator: ".") })
    func theParserAndTheSchemaAllowTheSameKeys(_ dotted: String) throws {
        let path = dotted.isEmpty ? [] : dotted.split(separator: ".").map(String.init)
        let keys = try #require(Manifest.Keys.objects.first { $0.path == path }).keys
        let object = try #require(Self.object(at: path, in: try Self.schema()), "the schema has no object at '\(dotted)'")
        let properties = Set((object["properties"] as? [String: Any] ?? [:]).keys)
        #expect(properties == Set(keys), "schema \(properties.sorted()) against parser \(keys.sorted()) at '\(dotted)'")
        #expect(object["additionalProperties"] as? Bool == false, "the schema must refuse other keys at '\(dotted)', as the parser warns")
    }

    /// Every object of the schema with fixed properties is one the parser knows (the reverse direction).
    @Test func everyObjectOfTheSchemaIsOneTheParserReads() throws {
        var found: [[String]] = []
        func visit(_ node: [String: Any], _ path: [String]) {
            if let properties = node["properties"] as? [String: Any] {
                if node["additionalProperties"] as? Bool == false { found.append(path) }
                for (key, value) in properties { if let object = value as? [String: Any] { visit(object, path + [key]) } }
            }
            if let each = node["additionalProperties"] as? [String: Any] { visit(each, path + ["*"]) }
        }
        visit(try Self.schema(), [])
        let known = Set(Manifest.Keys.objects.map { $0.path.joined(separator: ".") })
        #expect(Set(found.map { $0.joined(separator: ".") }) == known)
    }

    @Test func everyExampleValidatesAndParsesWithoutAProblem() throws {
        let schema = try Self.schema()
        let examples = try #require(schema["examples"] as? [Any])
        #expect(examples.count >= 2)
        // Examples deeper in the schema, placed where they belong in a minimal manifest.
        var manifests = examples
        let offline = try #require((Self.object(at: ["pipeline", "offline"], in: schema)?["examples"] as? [Any])?.first)
        manifests.append(
            [
                "version": 1, "pipeline": ["name": "p", "definition": "pipeline/definition.py", "offline": offline],
            ] as [String: Any])
        let directory = TemporaryDirectory()
        for (index, example) in manifests.enumerated() {
            let file = directory.url.appendingPathComponent("example-\(index).json")
            try JSONSerialization.data(withJSONObject: example, options: [.sortedKeys]).write(to: file)
            let check = try runTool(["check-jsonschema", "--schemafile", Self.schemaURL.path, file.path], in: directory.path)
            #expect(check.status == 0, "example \(index): \(check.output)")
            let document = try DocumentLoader.load(path: file.path)
            let manifest = Manifest(document: document, directory: directory.path)
            #expect(manifest.problems.isEmpty, "example \(index): \(manifest.problems.map(\.message))")
        }
        // A key the schema refuses is refused by the validator and warned about by the parser.
        let wrong = directory.url.appendingPathComponent("wrong.json")
        try Data(#"{"version": 1, "pipeline": {"name": "p", "definition": "d.yaml", "rolearn": "x"}}"#.utf8).write(to: wrong)
        #expect(try runTool(["check-jsonschema", "--schemafile", Self.schemaURL.path, wrong.path], in: directory.path).status != 0)
        let parsed = Manifest(document: try DocumentLoader.load(path: wrong.path), directory: directory.path)
        #expect(parsed.problems.contains { $0.message.contains("unknown key 'rolearn' in pipeline") })
    }
}
