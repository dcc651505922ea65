import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

@Suite struct LoaderTests {
    @Test func jsonPositionsAreOneBasedAndCountUnicodeScalars() throws {
        let text = "{\n  \"Name\": \"Zürich\", \"Type\": \"Fail\"\n}"
        let document = try DocumentLoader.parse(data: Data(text.utf8), path: "a.json")
        #expect(document.root.location == SourceLocation(line: 1, column: 1))
        #expect(document.root["Name"]?.location == SourceLocation(line: 2, column: 11))
        // "Zürich" is 6 scalars but 7 bytes: the next key's column counts scalars.
        #expect(document.root.member("Type")?.keyLocation == SourceLocation(line: 2, column: 21))
    }

    @Test func yamlAndJSONOfTheSameTreeAreEqual() throws {
        let json =
            #"{"Version": "2020-12-01", "Parameters": [{"Name": "N", "Type": "Integer", "DefaultValue": 3}, {"Name": "F", "Type": "Float", "DefaultValue": 0.5}, {"Name": "B", "Type": "Boolean", "DefaultValue": false}], "Metadata": {"note": "no"}, "PipelineExperimentConfig": null, "Steps": []}"#
        let yaml = """
            # a comment
            Version: "2020-12-01"
            Parameters:
              - { Name: N, Type: Integer, DefaultValue: 3 }
              - { Name: F, Type: Float, DefaultValue: 0.5 }
              - { Name: B, Type: Boolean, DefaultValue: false }
            Metadata: { note: "no" }
            PipelineExperimentConfig: null
            Steps: []
            """
        let a = try DocumentLoader.parse(data: Data(json.utf8), path: "a.json")
        let b = try DocumentLoader.parse(data: Data(yaml.utf8), path: "a.yaml")
        #expect(a.root == b.root)
        #expect(CanonicalJSON.string(a.root) == CanonicalJSON.string(b.root))
    }

    @Test func yamlScalarsFollowTheCoreSchema() throws {
        let document = try DocumentLoader.parse(data: Data("a: no\nb: 0x10\nc: 1e3\nd: ~\ne: '1'\nf: -7\n".utf8), path: "s.yaml")
        #expect(document.root["a"]?.string == "no")
        #expect(document.root["b"]?.int == 16)
        #expect(document.root["c"]?.double == 1000)
        #expect(document.root["d"]?.isNull == true)
        #expect(document.root["e"]?.string == "1")
        #expect(document.root["f"]?.int == -7)
        #expect(document.ambiguousScalars.map(\.text) == ["no"])
    }

    @Test func jsonEscapesDecode() throws {
        let document = try DocumentLoader.parse(data: Data(#"{"s": "a\"b\\c\/d\u00e9\ud83d\ude00\n"}"#.utf8), path: "e.json")
        #expect(document.root["s"]?.string == "a\"b\\c/dé😀\n")
    }

    @Test func jsonDuplicateKeysAreRecorded() throws {
        let document = try DocumentLoader.parse(data: Data("{\"a\": 1,\n \"a\": 2}".utf8), path: "d.json")
        #expect(document.duplicateKeys.count == 1)
        #expect(document.duplicateKeys.first?.location == SourceLocation(line: 2, column: 2))
    }

    @Test func syntaxIsDetectedByExtensionThenContent() {
        #expect(DocumentLoader.detectSyntax(path: "x.yml", data: Data("{}".utf8)) == .yaml)
        #expect(DocumentLoader.detectSyntax(path: "x", data: Data("  {\"a\":1}".utf8)) == .json)
        #expect(DocumentLoader.detectSyntax(path: "x", data: Data("a: 1".utf8)) == .yaml)
    }

    @Test func suppressionCommentsAreRead() {
        let comments = DocumentLoader.suppressions(
            in: "a: 1 # pipeops: disable=unused-parameter, cycle\n# pipeops:disable cache-without-expiry\n")
        #expect(comments[1] == ["unused-parameter", "cycle"])
        #expect(comments[2] == ["cache-without-expiry"])
    }

    @Test func aStreamWhoseSizeIsUnknownIsReadWhole() throws {
        // A FIFO says its size is 0: the reader must grow its buffer (past its first 64 KB) and
        // still stop one byte past the limit.
        let directory = TemporaryDirectory()
        let path = directory.url.appendingPathComponent("stream.json").path
        #expect(mkfifo(path, 0o600) == 0)
        let steps = (0..<3_000).map { #"{"Name": "S\#($0)", "Type": "Fail", "Arguments": {"ErrorMessage": "stop"}}"# }
        let text = #"{"Version": "2020-12-01", "Steps": ["# + steps.joined(separator: ", ") + "]}"
        #expect(text.utf8.count > 200 * 1024)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let document = try DocumentLoader.load(path: path)
        #expect(document.byteCount == text.utf8.count)
        #expect(document.root["Steps"]?.elements?.count == 3_000)
        #expect(document.root["Steps"]?.elements?.last?["Name"]?.string == "S2999")
    }

    @Test func propertyPathsParse() throws {
        let path = try PropertyPath.parseProperty(".ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri").get()
        #expect(
            path.segments == [.member("ProcessingOutputConfig"), .member("Outputs"), .key("train"), .member("S3Output"), .member("S3Uri")])
        let json = try PropertyPath.parseJSONPath("$.metrics[\"acc\"].values[-1]").get()
        #expect(json.segments == [.member("metrics"), .key("acc"), .member("values"), .index(-1)])
        #expect(throws: PropertyPath.PathError.self) { try PropertyPath.parseJSONPath("a[*].b").get() }
        #expect(throws: PropertyPath.PathError.self) { try PropertyPath.parseProperty(".A[").get() }
    }
}
