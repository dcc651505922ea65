import Foundation

// MARK: Encoding and positions

extension DocumentLoader {
    /// The UTF-8 check of the sequences that start in `from..<to`; a sequence that starts before
    /// `to` is read whole, past it. `next` is where the sequence after the last one read starts.
    static func firstInvalidUTF8(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> (invalid: Int?, next: Int) {
        var i = from
        let n = bytes.count
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            if b & 0xE0 == 0xC0 {
                length = 2
                minimum = 0x80
            } else if b & 0xF0 == 0xE0 {
                length = 3
                minimum = 0x800
            } else if b & 0xF8 == 0xF0 {
                length = 4
                minimum = 0x10000
            } else {
                return (i, i)
            }
            guard i + length <= n else { return (i, i) }
            var scalar = UInt32(b) & (0xFF >> (length + 1))
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return (i, i) }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return (i, i) }
            i += length
        }
        return (nil, i)
    }

    /// The line and column of byte `offset`, counted from the start (a byte-order mark is no
    /// column, as in the parse and in editors).
    static func location(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF && offset >= 3
        var position = TextPosition()
        position.advance(over: bytes, from: bom ? 3 : 0, to: min(max(offset, 0), bytes.count))
        return position.location
    }

    static func utf8Error(byte: UInt8, at location: SourceLocation, path: String) -> LoadError {
        .syntax(path: path, SyntaxError(String(format: "the file is not valid UTF-8 (byte 0x%02X); save it as UTF-8", byte), at: location))
    }
}

/// A line and a column (in Unicode scalars) reached by reading bytes from a known place.
struct TextPosition {
    private(set) var line = 1
    private(set) var column = 1

    init() {}

    init(_ location: SourceLocation) {
        line = location.line
        column = location.column
    }

    var location: SourceLocation { SourceLocation(line: line, column: column) }

    /// Moves past `from..<to`: counts first, then finds the last line break only if there is one.
    mutating func advance(over bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) {
        guard from < end else { return }
        var breaks = 0
        for index in from..<end where bytes[index] == 0x0A { breaks += 1 }
        var lineStart = from
        if breaks > 0 {
            line += breaks
            column = 1
            var index = end - 1
            while bytes[index] != 0x0A { index -= 1 }
            lineStart = index + 1
        }
        for index in lineStart..<end where bytes[index] & 0xC0 != 0x80 { column += 1 }
    }
}

/// The UTF-8 check and the secrets pre-scan of a large file, on a thread of their own beside its
/// parse, a chunk at a time. `checked` says how far they have read, so that the parse hands back
/// only pages both are done with.
///
/// The caller keeps `bytes` alive, and unreleased from `checked` on, until `wait()` returns.
final class ByteChecks: @unchecked Sendable {
    struct Invalid {
        var offset: Int
        var byte: UInt8
    }

    static let chunk = 1 << 20

    private let bytes: UnsafeBufferPointer<UInt8>
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var progress = 0
    private var invalid: Invalid?
    private var secrets = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            run()
            done.signal()
        }
    }

    /// Bytes below this are checked.
    var checked: Int { lock.withLock { progress } }

    func wait() -> (invalid: Invalid?, secrets: Bool) {
        done.wait()
        return (invalid, secrets)
    }

    private func run() {
        var start = 0
        var utf8 = 0
        while start < bytes.count {
            let end = min(start + ByteChecks.chunk, bytes.count)
            if !secrets { secrets = SecretScanner.mayHoldAny(bytes, from: start, to: end) }
            let (bad, next) = DocumentLoader.firstInvalidUTF8(in: bytes, from: utf8, to: end)
            if let bad {
                invalid = Invalid(offset: bad, byte: bytes[bad])
                return
            }
            utf8 = next
            start = end
            lock.withLock { progress = end }
        }
    }
}
