import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsApp

/// The binary carries templates/ (scripts/gen-templates.py); they must not drift apart.
@Suite struct EmbeddedTemplateTests {
    /// The files of templates/NAME on disk, with `extends:` and `drop:` of its .pipeops-template applied.
    static func templateOnDisk(_ name: String) throws -> [String: Data] {
        let root = TestPaths.repository.appendingPathComponent("templates").appendingPathComponent(name)
        let header = try String(contentsOf: root.appendingPathComponent(".pipeops-template"), encoding: .utf8).split(separator: "\n")
        var files: [String: Data] = [:]
        for line in header.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "extends" { files = try templateOnDisk(parts[1]) }
            if parts[0] == "drop" { for path in parts[1].split(separator: " ") { files[String(path)] = nil } }
        }
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        for case let relative as String in enumerator where relative != ".pipeops-template" && !relative.contains("__pycache__") {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[relative] = FileManager.default.contents(atPath: root.appendingPathComponent(relative).path) }
        }
        return files
    }

    @Test func embeddedTemplatesMatchTheTemplatesFolder() throws {
        #expect(Scaffolder.templates.map(\.name).sorted() == ["default", "python"])
        for template in Scaffolder.templates {
            let embedded = Dictionary(uniqueKeysWithValues: template.files.map { ($0.path, $0.contents) })
            #expect(
                embedded == (try Self.templateOnDisk(template.name)),
                "templates/\(template.name) changed: run python3 scripts/gen-templates.py")
        }
    }
}
