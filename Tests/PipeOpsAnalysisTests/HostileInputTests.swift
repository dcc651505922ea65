import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

/// Bad and hostile input gets a clear finding or error — never a crash or a hang.
@Suite struct HostileInputTests {
    func syntaxFinding(_ text: String, path: String) -> Finding? {
        let findings = lintDefinition(text, path: path)
        #expect(findings.count == 1, "\(findings.map(\.message))")
        return findings.first { $0.rule == "syntax" }
    }

    @Test func truncatedJSONPointsAtTheEnd() throws {
        let finding = try #require(syntaxFinding("{\"Version\": \"2020-12-01\",\n \"Steps\": [\n  {\"Name\": \"A\"", path: "t.json"))
        #expect(finding.message.contains("truncated"))
        #expect(finding.location.line == 3)
    }

    @Test func invalidYAMLNamesItsLine() throws {
        let finding = try #require(syntaxFinding("Version: \"2020-12-01\"\nSteps:\n  - Name: A\n   Type: Fail\n", path: "t.yaml"))
        #expect(finding.message.hasPrefix("invalid YAML"))
        #expect(finding.location.line == 4)
    }

    @Test func yamlAliasBombIsRefused() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"]
        var previous = "a"
        for name in names {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        let start = Date()
        let finding = try #require(syntaxFinding(text, path: "bomb.yaml"))
        #expect(finding.message.contains("alias bomb"))
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func deepJSONNestingIsRefused() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let finding = try #require(syntaxFinding(text, path: "deep.json"))
        #expect(finding.message.contains("nesting"))
        #expect(finding.location.line == 1)
    }

    @Test func deepYAMLNestingIsRefused() throws {
        let text = "Steps: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        let finding = try #require(syntaxFinding(text, path: "deep.yaml"))
        #expect(finding.message.contains("nesting") || finding.message.contains("depth"))
    }

    @Test func nonUTF8BytesAreLocated() throws {
        var data = Data("Version: \"2020-12-01\"\nSteps: []\nMetadata: { owner: \"".utf8)
        data.append(contentsOf: [0xC3, 0x28])
        data.append(Data("\" }\n".utf8))
        do {
            _ = try DocumentLoader.parse(data: data, path: "latin1.yaml")
            Issue.record("non-UTF-8 input loaded")
        } catch {
            guard case .syntax(_, let syntax) = error else {
                Issue.record("expected a syntax error")
                return
            }
            #expect(syntax.message.contains("UTF-8"))
            #expect(syntax.location == SourceLocation(line: 3, column: 21))
        }
    }

    @Test func directoryInsteadOfFileIsAnIOError() {
        let directory = TemporaryDirectory()
        #expect(throws: PipeOpsError.isDirectory(directory.path)) { try Linter().lintDefinition(atPath: directory.path) }
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: PipeOpsError.fileNotFound("/nonexistent/definition.json")) {
            try Linter().lintDefinition(atPath: "/nonexistent/definition.json")
        }
    }

    @Test func fiftyMegabyteDefinitionIsOverTheServiceLimit() throws {
        let directory = TemporaryDirectory()
        let padding = String(repeating: "x", count: 50 * 1024 * 1024)
        let path = directory.write("huge.json", "{\"Version\": \"2020-12-01\", \"Metadata\": {\"pad\": \"\(padding)\"}, \"Steps\": []}")
        let findings = try Linter().lintDefinition(atPath: path)
        let size = try #require(findings.first { $0.rule == "definition-size" })
        #expect(size.severity == .error)
        #expect(size.message.contains("1048576"))
    }

    @Test func fileOverTheReadLimitIsRefusedBeforeReading() throws {
        let directory = TemporaryDirectory()
        let path = directory.url.appendingPathComponent("giant.json").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(DocumentLoader.maximumFileBytes + 1))
        try handle.close()
        #expect(throws: PipeOpsError.fileTooLarge(path, bytes: DocumentLoader.maximumFileBytes + 1, limit: DocumentLoader.maximumFileBytes))
        {
            try Linter().lintDefinition(atPath: path)
        }
    }

    @Test func emptyAndNonObjectDocumentsAreExplained() {
        #expect(lintDefinition("", path: "empty.json").first?.message.contains("empty") == true)
        let array = lintDefinition("[1, 2]", path: "array.json")
        #expect(array.contains { $0.rule == "required-key" && $0.message.contains("must be an object") })
    }

    @Test func duplicateYAMLKeysAreSyntaxErrors() throws {
        let finding = try #require(syntaxFinding("Version: \"2020-12-01\"\nSteps: []\nSteps: []\n", path: "dup.yaml"))
        #expect(finding.message.contains("duplicate key 'Steps'"))
    }
}
