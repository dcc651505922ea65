import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// Canonical JSON is what every hash is taken of: its bytes must never change for the same tree.
@Suite struct CanonicalJSONTests {
    @Test func escapesExactlyWhatJSONRequiresAndSortsKeysByTheirBytes() {
        let node = Node(object: [
            ("é", Node(.string("x"))), ("b", Node(.string("q\"b\\s/\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F}é😀"))),
            ("a", Node(.array([Node(.integer(-3)), Node(.number(1.5)), Node(.bool(true)), Node(.null), Node(object: [])]))),
            ("Z", Node(.array([]))),
        ])
        let expected = #"{"Z":[],"a":[-3,1.5,true,null,{}],"b":"q\"b\\s/\n\r\t\b\f\u0001\u001f"# + "\u{7F}é😀\",\"é\":\"x\"}"
        #expect(CanonicalJSON.string(node) == expected)
        #expect(CanonicalJSON.data(node) == Data(expected.utf8) && CanonicalJSON.bytes(node) == Array(expected.utf8))
        #expect(CanonicalJSON.quoted("a\u{00}b") == #""a\u0000b""#)
        var appended = "x"
        CanonicalJSON.quote("\"é\"", into: &appended)
        #expect(appended == #"x"\"é\"""#)
    }

    @Test func prettyTextIndentsByTwoAndKeepsTheOrderAskedFor() {
        let node = Node(object: [("b", Node(.array([Node(.integer(1)), Node(object: [("k", Node(.string("v")))])]))), ("a", Node(.null))])
        #expect(
            CanonicalJSON.string(node, sortKeys: false, pretty: true)
                == "{\n  \"b\": [\n    1,\n    {\n      \"k\": \"v\"\n    }\n  ],\n  \"a\": null\n}")
        #expect(CanonicalJSON.string(node, pretty: true).hasPrefix("{\n  \"a\": null,\n  \"b\": ["))
    }

    /// Generated strings of every awkward kind: the text reads back (Foundation's parser) as the
    /// same strings, and is as long as `compactLength` (an independent count) says.
    @Test func generatedStringsReadBackAndAreAsLongAsCounted() throws {
        var random = SeededGenerator(seed: 0x5EED_CAFE)
        let alphabet: [Unicode.Scalar] =
            (0..<0x20).map { Unicode.Scalar(UInt8($0)) } + ["\"", "\\", "/", "a", "Z", " ", "\u{7F}", "é", "→", "😀"]
        for _ in 0..<300 {
            let key = String(String.UnicodeScalarView((0..<random.below(6)).map { _ in alphabet[random.below(alphabet.count)] }))
            let value = String(String.UnicodeScalarView((0..<random.below(40)).map { _ in alphabet[random.below(alphabet.count)] }))
            let node = Node(object: [(key, Node(.string(value)))])
            let text = CanonicalJSON.string(node, sortKeys: false)
            let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
            #expect(parsed == [key: value], "\(text.debugDescription)")
            #expect(text.unicodeScalars.count == CanonicalJSON.compactLength(node), "\(text.debugDescription)")
            #expect(!text.utf8.contains { $0 < 0x20 }, "no raw control byte")
        }
    }
}
