import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// A large file's bytes are handed back as its parse passes them: these tests show that the
/// pages really leave memory, that neither the parse nor the byte checks read a byte after its
/// page has gone, and that what the checks report (an invalid byte's place, a possible secret)
/// is the same as over the whole file.
@Suite struct FileBufferTests {
    /// A definition of `steps` steps, over `concurrentChecksBytes`, with what a parse must copy
    /// out of its bytes: long strings, escapes, non-ASCII text, numbers, nested lists.
    static func largeDefinition(steps: Int, separator: String = ",\n") -> String {
        let filler = String(repeating: "ä€x", count: 40)
        let items = (0..<steps).map { index in
            #"{"Name": "Step\#(index)", "Note": "\#(filler)\"q\"\u00e9", "N": [\#(index), -\#(index).5e2, [true, null, 12345678901234567890123]], "K": {"V": "v\#(index)"}, "Pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#
        }
        return #"{"Version": "2020-12-01", "Steps": ["# + items.joined(separator: separator) + "]}"
    }

    /// Pages leave memory as the parse passes them. The byte checks' progress is given here
    /// (all checked) so that what is handed back does not depend on the other thread's timing.
    @Test func aLargeFilesPagesLeaveMemoryAsItsParsePassesThem() throws {
        let directory = TemporaryDirectory()
        let text = FileBufferTests.largeDefinition(steps: 12_000)
        #expect(text.utf8.count > 3 * DocumentLoader.concurrentChecksBytes)
        let path = directory.write("big.json", text)
        guard case .large(let buffer) = try DocumentLoader.read(path: path) else {
            Issue.record("a file over \(DocumentLoader.concurrentChecksBytes) bytes was not read into a FileBuffer")
            return
        }
        let pages = (buffer.count + FileBuffer.pageSize - 1) / FileBuffer.pageSize
        #expect(buffer.count == text.utf8.count)
        #expect(buffer.residentPages(inFirst: buffer.count) == pages)

        let prefix = ReleasedPrefix()
        let (root, _) = try JSONParser.parse(buffer.bytes, release: { prefix.parsed(to: $0, at: $1, checked: .max, buffer) })
        #expect(root == (try DocumentLoader.parse(data: Data(text.utf8), path: path)).root)
        // Everything but the last stretch (under one release interval) is gone.
        let kept = buffer.count - buffer.released
        #expect(kept < JSONParser.releaseInterval + FileBuffer.pageSize)
        #expect(buffer.residentPages(inFirst: buffer.released) == 0)
        #expect(buffer.residentPages(inFirst: buffer.count) <= (kept + FileBuffer.pageSize - 1) / FileBuffer.pageSize + 1)
        // The rest is intact.
        let tail = Array(UnsafeBufferPointer(rebasing: buffer.bytes[buffer.released...]))
        #expect(tail == Array(text.utf8.suffix(kept)))
    }

    /// While the byte checks lag, nothing past them is handed back, and a place found later is
    /// counted from the last place that was.
    @Test func nothingTheChecksHaveNotReadIsHandedBack() throws {
        let directory = TemporaryDirectory()
        let text = FileBufferTests.largeDefinition(steps: 12_000)
        let bytes = Array(text.utf8)
        // Made for a tenth of the file: it grows while it is read.
        let buffer = try #require(FileBuffer(capacity: bytes.count / 10))
        let handle = try #require(FileHandle(forReadingAtPath: directory.write("big.json", text)))
        defer { try? handle.close() }
        #expect(buffer.fill(from: handle.fileDescriptor, limit: bytes.count + 1) == nil)
        #expect(Array(buffer.bytes) == bytes)
        let prefix = ReleasedPrefix()
        let page = FileBuffer.pageSize
        func place(_ offset: Int) -> PipeOpsModel.SourceLocation {
            bytes.withUnsafeBufferPointer { DocumentLoader.location(ofByte: offset, in: $0) }
        }
        prefix.parsed(to: 1_000_000, at: place(1_000_000), checked: 0, buffer)
        #expect(buffer.released == 0)
        prefix.parsed(to: 2_000_000, at: place(2_000_000), checked: 1_500_000, buffer)
        #expect(buffer.released == 1_000_000 / page * page)
        prefix.parsed(to: 3_000_000, at: place(3_000_000), checked: 3_100_000, buffer)
        #expect(buffer.released == 3_000_000 / page * page)
        #expect(buffer.residentPages(inFirst: buffer.released) == 0)
        for offset in [3_000_000, 3_000_001, 3_500_000, bytes.count - 1] {
            #expect(prefix.location(of: offset, in: buffer.bytes) == place(offset), "byte \(offset)")
        }
    }

    /// The parse is handed a release that zeroes what it is told it may drop (as a page handed
    /// back reads): a byte read again afterwards would change the tree or break the parse.
    @Test func theParseNeverReadsWhatItLetGo() throws {
        let text = FileBufferTests.largeDefinition(steps: 9_000, separator: ", ")
        let expected = try DocumentLoader.parse(data: Data(text.utf8), path: "a.json").root
        var bytes = Array(text.utf8)
        var offsets: [Int] = []
        var locations: [PipeOpsModel.SourceLocation] = []
        let (root, duplicates) = try bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            return try JSONParser.parse(
                UnsafeBufferPointer(buffer),
                release: { offset, location in
                    let start = offsets.last ?? 0
                    if offset > start { base.advanced(by: start).update(repeating: 0, count: offset - start) }
                    offsets.append(offset)
                    locations.append(location)
                })
        }
        #expect(root == expected)
        #expect(duplicates.isEmpty)
        #expect(offsets.count >= text.utf8.count / JSONParser.releaseInterval - 1)
        #expect(offsets == offsets.sorted())
        // Each place the parse tells is where a count from the file's start puts it.
        let original = Array(text.utf8)
        let counted = original.withUnsafeBufferPointer { all in offsets.map { DocumentLoader.location(ofByte: $0, in: all) } }
        #expect(locations == counted)
        #expect(bytes.prefix(offsets.last ?? 0).allSatisfy { $0 == 0 })
        // A long value repeated on every step is still one string after its first place is gone.
        let first = try #require(root["Steps"]?.elements?.first?["Pad"]?.string)
        let last = try #require(root["Steps"]?.elements?.last?["Pad"]?.string)
        func storage(_ string: String) -> UnsafePointer<UInt8>? { string.utf8.withContiguousStorageIfAvailable { $0.baseAddress } ?? nil }
        #expect(first == last && storage(first) != nil && storage(first) == storage(last))
    }

    /// `valid` with leading spaces (whitespace before the document) so that the first byte of
    /// the match found last before `offset` lands exactly at `offset`.
    static func shifted(_ valid: [UInt8], placing matches: ([UInt8], Int) -> Bool, at offset: Int) -> [UInt8] {
        let found = (0...offset).reversed().first { matches(valid, $0) }!
        return [UInt8](repeating: 0x20, count: offset - found) + valid
    }

    /// An invalid byte is reported at the place a whole-file count gives, wherever it falls: on
    /// a later line, deep in one long line (SDK output), or in a sequence a chunk's end cuts.
    @Test func anInvalidBytesPlaceIsKnownAfterTheBytesBeforeItAreGone() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("bad.json", "")
        let chunk = ByteChecks.chunk
        for (name, separator) in [("lines", ",\n"), ("one line", ", ")] {
            let valid = Array(FileBufferTests.largeDefinition(steps: 15_000, separator: separator).utf8)
            // "€" (E2 82 AC) starting on the last byte of the first chunk: its sequence is cut.
            let cut = FileBufferTests.shifted(valid, placing: { $0[$1] == 0xE2 }, at: chunk - 1)
            try Data(cut).write(to: URL(fileURLWithPath: path))
            #expect(try DocumentLoader.load(path: path).root["Steps"]?.elements?.count == 15_000, "\(name): a valid cut sequence")

            var brokenCut = cut
            brokenCut[chunk + 1] = UInt8(ascii: "A")
            var late = valid
            let lateOffset = valid.indices.first { $0 > 2 * chunk + 777 && valid[$0] == UInt8(ascii: "x") }!
            late[lateOffset] = 0xFF
            for (bytes, offset) in [(brokenCut, chunk - 1), (late, lateOffset)] {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let expected = bytes.withUnsafeBufferPointer { DocumentLoader.location(ofByte: offset, in: $0) }
                do {
                    _ = try DocumentLoader.load(path: path)
                    Issue.record("\(name): an invalid byte at \(offset) was accepted")
                } catch {
                    guard case .syntax(_, let syntax) = error else {
                        Issue.record("\(name): not a syntax error: \(error)")
                        continue
                    }
                    #expect(syntax.message.contains(String(format: "(byte 0x%02X)", bytes[offset])), "\(syntax.message)")
                    #expect(syntax.location == expected, "\(name) at byte \(offset)")
                }
            }
        }
    }

    /// The secrets pre-scan reads each four-byte window whole, also the ones a chunk's end cuts.
    @Test func aSecretCutByAChunksEndIsStillSeen() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("t.json", "")
        let plain = Array(FileBufferTests.largeDefinition(steps: 9_000).utf8)
        let quiet = try DocumentLoader.parse(data: Data(plain), path: path)
        #expect(quiet.mayHoldSecrets == false)
        let run = Array("xxxxx".utf8)
        for start in ByteChecks.chunk - 3..<ByteChecks.chunk {
            var bytes = FileBufferTests.shifted(plain, placing: { $1 + 5 <= $0.count && Array($0[$1..<$1 + 5]) == run }, at: start)
            bytes.replaceSubrange(start..<start + 5, with: Array("ToKeN".utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try DocumentLoader.load(path: path).mayHoldSecrets, "a token from byte \(start)")
        }
    }

    /// Counting a position a piece at a time gives what one count from the start gives.
    @Test func aPositionCountedInPiecesIsTheWholeCount() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [[UInt8]] = [[0x0A], [0x61], [0xC3, 0xA4], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0x20]]
        for _ in 0..<50 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...400, using: &generator) { bytes += alphabet.randomElement(using: &generator)! }
            bytes.withUnsafeBufferPointer { buffer in
                var whole = TextPosition()
                var line = 1
                var column = 1
                for byte in buffer {
                    if byte == 0x0A {
                        line += 1
                        column = 1
                    } else if byte & 0xC0 != 0x80 {
                        column += 1
                    }
                }
                whole.advance(over: buffer, from: 0, to: buffer.count)
                var pieces = TextPosition()
                var at = 0
                while at < buffer.count {
                    let next = min(buffer.count, at + Int.random(in: 0...60, using: &generator))
                    pieces.advance(over: buffer, from: at, to: next)
                    at = next
                }
                #expect(whole.location == SourceLocation(line: line, column: column))
                #expect(pieces.location == whole.location)
            }
        }
    }
}

extension FileBufferTests {
    /// A whole number beyond Int64 is kept as its digits: the same digits are the same value
    /// (structural equality once called every two of them different).
    @Test func theSameBigIntegerIsEqual() throws {
        let json = try DocumentLoader.parse(data: Data(#"{"N": 123456789012345678901234567890}"#.utf8), path: "a.json").root
        let yaml = try DocumentLoader.parse(data: Data("N: 123456789012345678901234567890\n".utf8), path: "a.yaml").root
        let other = try DocumentLoader.parse(data: Data(#"{"N": 123456789012345678901234567891}"#.utf8), path: "b.json").root
        #expect(json == yaml)
        #expect(json != other)
    }
}

extension FileBufferTests {
    /// A large YAML file takes the same read (its pages are not handed back: YAML is parsed from
    /// a copy) and loads as the same bytes parsed from memory do; an invalid byte in it is placed.
    @Test func aLargeYAMLFileLoadsLikeItsBytes() throws {
        let directory = TemporaryDirectory()
        let steps = (0..<20_000).map { "  - Name: Step\($0)\n    Type: Fail\n    Arguments: {ErrorMessage: \"stop ä€\"}\n" }
        let text = "Version: \"2020-12-01\"\nSteps:\n" + steps.joined()
        #expect(text.utf8.count > DocumentLoader.concurrentChecksBytes)
        let path = directory.write("big.yaml", text)
        let loaded = try DocumentLoader.load(path: path)
        #expect(loaded.syntax == .yaml)
        #expect(loaded.root == (try DocumentLoader.parse(data: Data(text.utf8), path: path)).root)
        #expect(loaded.root["Steps"]?.elements?.count == 20_000)

        var bytes = Array(text.utf8)
        let offset = bytes.indices.first { $0 > bytes.count / 2 && bytes[$0] == UInt8(ascii: "s") }!
        bytes[offset] = 0xC0
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let expected = bytes.withUnsafeBufferPointer { DocumentLoader.location(ofByte: offset, in: $0) }
        #expect {
            _ = try DocumentLoader.load(path: path)
        } throws: { error in
            guard case .syntax(_, let syntax) = error as? LoadError else { return false }
            return syntax.location == expected && syntax.message.contains("(byte 0xC0)")
        }
    }
}
