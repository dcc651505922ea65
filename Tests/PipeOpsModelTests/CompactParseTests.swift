import Foundation
import Testing

@testable import PipeOpsModel

/// The parser builds each container once from its open region and shares repeated strings:
/// what it builds must be exactly what a plain parse would.
@Suite struct CompactParseTests {
    func parse(_ text: String) throws -> Document {
        try DocumentLoader.parse(data: Data(text.utf8), path: "c.json")
    }

    @Test func nestedContainersKeepTheirOwnEntries() throws {
        let document = try parse(#"{"a": {"x": 1, "y": [2, {"z": [3, []]}, {}]}, "b": [[4], [5, 6]], "c": {}}"#)
        let root = document.root
        #expect(root.members?.map(\.key) == ["a", "b", "c"])
        #expect(root["a"]?.members?.map(\.key) == ["x", "y"])
        #expect(root["a"]?["y"]?.elements?.count == 3)
        #expect(root["a"]?["y"]?.elements?[1]["z"]?.elements?.count == 2)
        #expect(root["a"]?["y"]?.elements?[1]["z"]?.elements?[1].elements?.isEmpty == true)
        #expect(root["b"]?.elements?.map { $0.elements?.compactMap(\.int) ?? [] } == [[4], [5, 6]])
        #expect(root["c"]?.members?.isEmpty == true)
    }

    @Test func aDuplicateKeyIsRemovedFromItsOwnObjectOnly() throws {
        // The inner object's duplicate must not touch the outer object's members below it.
        let document = try parse(#"{"x": 0, "a": {"x": 1, "x": 2}, "x": 3, "b": [{"x": 4, "y": 5, "x": 6}]}"#)
        let root = document.root
        #expect(root.members?.map(\.key) == ["a", "x", "b"])
        #expect(root["x"]?.int == 3)
        #expect(root["a"]?.members?.map(\.key) == ["x"])
        #expect(root["a"]?["x"]?.int == 2)
        #expect(root["b"]?.elements?.first?.members?.map(\.key) == ["y", "x"])
        #expect(root["b"]?.elements?.first?["x"]?.int == 6)
        #expect(document.duplicateKeys.map(\.key) == ["x", "x", "x"])
        #expect(document.duplicateKeys.map(\.location.column) == [24, 33, 64])
        #expect(document.duplicateKeys.map(\.firstLocation.column) == [16, 2, 48])
    }

    @Test func aDuplicateInAWideObjectIsFoundByItsIndex() throws {
        let keys = (0..<20).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let document = try parse("{\(keys), \"k3\": 99, \"k19\": 100}")
        #expect(document.root.members?.count == 20)
        #expect(document.root["k3"]?.int == 99)
        #expect(document.root["k19"]?.int == 100)
        #expect(document.root.members?.suffix(2).map(\.key) == ["k3", "k19"])
        #expect(document.duplicateKeys.map(\.key) == ["k3", "k19"])
    }

    @Test func sharedStringsAreTheirOwnText() throws {
        // Around Swift's inline length (15 bytes), repeated, unique, escaped and non-ASCII.
        let values = [
            "fifteen-bytes!!", "sixteen-bytes!!!", "arn:aws:iam::111111111111:role/r", "arn:aws:iam::111111111111:role/s",
            "arn:aws:iam::111111111111:role/r", "s3://bucket/prefix/ünïcödé/key", "s3://bucket/prefix/ünïcödé/key",
            String(repeating: "long", count: 200),
        ]
        let escaped = #""arn:aws:iam::111111111111:role\/r""#
        let text = "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + ", " + escaped + "]"
        let elements = try #require(try parse(text).root.elements)
        #expect(elements.compactMap(\.string) == values + ["arn:aws:iam::111111111111:role/r"])
        #expect(elements[7].location.column == 217)
    }

    @Test func stringsBeyondTheTableCapacityAreStillRead() throws {
        let count = StringTable.capacity + 500
        let text = "[" + (0..<count).map { "\"value-number-\($0)\"" }.joined(separator: ",") + ", \"value-number-7\"]"
        let elements = try #require(try parse(text).root.elements)
        #expect(elements.count == count + 1)
        #expect(elements[count - 1].string == "value-number-\(count - 1)")
        #expect(elements[count].string == "value-number-7")
    }

    @Test func positionsAreClampedNotWrapped() {
        let far = SourceLocation(line: Int(UInt32.max) + 10, column: -3)
        #expect(far.line == Int(UInt32.max))
        #expect(far.column == 0)
        #expect(SourceLocation(line: 2, column: 1) < SourceLocation(line: 2, column: 5))
        #expect(SourceLocation(line: 1, column: 900) < SourceLocation(line: 2, column: 1))
    }
}

extension CompactParseTests {
    /// A large file's UTF-8 check runs beside its parse: an invalid byte is still the error, at
    /// its place, whether the rest of the file parses or not; its secret pre-scan still runs.
    @Test func aLargeFilesChecksRunBesideItsParse() throws {
        let filler = String(repeating: "x", count: 200)
        let steps = (0..<6_000).map { #"{"Name": "S\#($0)", "Note": "\#(filler)"}"# }.joined(separator: ",\n")
        let text = "{\"Version\": \"2020-12-01\", \"Steps\": [\n\(steps)\n]}"
        #expect(text.utf8.count >= DocumentLoader.concurrentChecksBytes)
        var bytes = Array(text.utf8)
        let valid = try DocumentLoader.parse(data: Data(bytes), path: "big.json")
        #expect(valid.root["Steps"]?.elements?.count == 6_000)
        #expect(valid.mayHoldSecrets == false)
        let withToken = try DocumentLoader.parse(data: Data((text.replacingOccurrences(of: "S5999", with: "token")).utf8), path: "t.json")
        #expect(withToken.mayHoldSecrets == true)

        let line = 4_000
        let offset = bytes.indices.filter { bytes[$0] == 0x0A }[line - 2] + 20
        bytes[offset] = 0xFF
        for variant in [bytes, bytes + Array("}".utf8)] {
            do {
                _ = try DocumentLoader.parse(data: Data(variant), path: "big.json")
                Issue.record("an invalid byte was accepted")
            } catch {
                guard case .syntax(_, let syntax) = error else {
                    Issue.record("not a syntax error: \(error)")
                    continue
                }
                #expect(syntax.message.contains("not valid UTF-8 (byte 0xFF)"), "\(syntax.message)")
                #expect(syntax.location.line == line)
            }
        }
    }
}
