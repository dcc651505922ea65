import Foundation

/// A syntax problem found while reading a document, with where it happened.
public struct SyntaxError: Error, Sendable, Equatable {
    public var message: String
    public var location: SourceLocation

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }
}

/// A key that appears twice in one object; the later value wins in every JSON library the
/// service or the SDK uses, which silently drops the first.
public struct DuplicateKey: Sendable, Equatable {
    public var key: String
    public var location: SourceLocation
    public var firstLocation: SourceLocation
}

/// A position-tracking JSON parser (RFC 8259) over UTF-8 bytes.
///
/// Written by hand rather than through Yams because SDK output is one long line of JSON:
/// this keeps columns exact and parses a 10 MB definition in well under a second.
struct JSONParser {
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// UTF-8 continuation bytes seen since `lineStart`, so columns count Unicode scalars.
    private var continuationBytes = 0
    private var depth = 0
    private(set) var duplicates: [DuplicateKey] = []
    /// Open containers' entries so far, one region per open container: each container's array
    /// is made once at its close with exactly its count, never grown by doubling.
    private var openMembers = RegionStack<Node.Member>()
    private var openElements = RegionStack<Node>()
    private var strings = StringTable()
    /// Told, about once per `releaseInterval` bytes and only between two values, that nothing
    /// before the given offset (at the given place) will be read again.
    private let release: ((Int, SourceLocation) -> Void)?
    private var nextRelease: Int

    static let releaseInterval = 1 << 20

    private init(bytes: UnsafeBufferPointer<UInt8>, release: ((Int, SourceLocation) -> Void)?) {
        self.bytes = bytes
        self.release = release
        nextRelease = release == nil ? Int.max : JSONParser.releaseInterval
    }

    /// Parses one JSON document. `bytes` must already be valid UTF-8. `release`, if given, is
    /// told as the parse goes how far it has read for good, and that offset's line and column:
    /// the tree holds no byte of the input, so what lies before may be handed back while the
    /// rest is parsed.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, release: ((Int, SourceLocation) -> Void)? = nil) throws(SyntaxError)
        -> (Node, [DuplicateKey])
    {
        var parser = JSONParser(bytes: bytes, release: release)
        defer {
            parser.openMembers.release()
            parser.openElements.release()
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            parser.index = 3
            parser.lineStart = 3
        }
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw SyntaxError("the document is empty", at: parser.location) }
        let node = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw SyntaxError("unexpected \(parser.describeCurrent()) after the end of the document", at: parser.location)
        }
        return (node, parser.duplicates)
    }

    private var location: SourceLocation {
        SourceLocation(line: line, column: index - lineStart - continuationBytes + 1)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return String(format: "byte 0x%02X", byte)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
                continuationBytes = 0
            default: return
            }
        }
    }

    private mutating func parseValue() throws(SyntaxError) -> Node {
        guard index < bytes.count else { throw SyntaxError("unexpected end of file; the document is truncated", at: location) }
        let start = location
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(start)
        case UInt8(ascii: "["): return try parseArray(start)
        case UInt8(ascii: "\""): return Node(.string(try parseString()), at: start)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return Node(.bool(true), at: start)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return Node(.bool(false), at: start)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return Node(.null, at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber(start)
        default: throw SyntaxError("expected a JSON value but found \(describeCurrent())", at: start)
        }
    }

    private mutating func enter(_ start: SourceLocation) throws(SyntaxError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw SyntaxError("nesting is deeper than \(JSONParser.maximumDepth) levels; a pipeline definition never needs that", at: start)
        }
    }

    private mutating func parseObject(_ start: SourceLocation) throws(SyntaxError) -> Node {
        try enter(start)
        defer { depth -= 1 }
        index += 1
        let base = openMembers.count
        var seen: [String: SourceLocation] = [:]
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return Node(.object([]), at: start)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw SyntaxError("unexpected end of file inside an object opened at \(start); the document is truncated", at: location)
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw SyntaxError("expected a quoted key but found \(describeCurrent())", at: location)
            }
            let keyLocation = location
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw SyntaxError("expected ':' after key \"\(key)\" but found \(describeCurrent())", at: location)
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            // Most objects are small: a linear scan beats hashing every key into a dictionary.
            var duplicate: SourceLocation?
            if openMembers.count - base < 16 {
                duplicate = openMembers.firstIndex(from: base, where: { $0.key == key }).map { openMembers[$0].keyLocation }
            } else {
                if seen.isEmpty {
                    for index in base..<openMembers.count where seen[openMembers[index].key] == nil {
                        seen[openMembers[index].key] = openMembers[index].keyLocation
                    }
                }
                if let first = seen[key] { duplicate = first } else { seen[key] = keyLocation }
            }
            if let first = duplicate {
                // The last value wins, as in every other JSON reader and in the service: lint, run
                // and the hashes must see what SageMaker will. The duplicate stays a lint error.
                duplicates.append(DuplicateKey(key: key, location: keyLocation, firstLocation: first))
                if let earlier = openMembers.firstIndex(from: base, where: { $0.key == key }) { openMembers.remove(at: earlier) }
            }
            openMembers.push(Node.Member(key: key, keyLocation: keyLocation, value: value))
            if index >= nextRelease { releaseRead() }
            skipWhitespace()
            guard index < bytes.count else {
                throw SyntaxError("unexpected end of file inside an object opened at \(start); the document is truncated", at: location)
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                break
            }
            throw SyntaxError("expected ',' or '}' but found \(describeCurrent())", at: location)
        }
        let members = openMembers.popRegion(from: base)
        return Node(.object(members), at: start)
    }

    private mutating func parseArray(_ start: SourceLocation) throws(SyntaxError) -> Node {
        try enter(start)
        defer { depth -= 1 }
        index += 1
        let base = openElements.count
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return Node(.array([]), at: start)
        }
        while true {
            skipWhitespace()
            let element = try parseValue()
            openElements.push(element)
            if index >= nextRelease { releaseRead() }
            skipWhitespace()
            guard index < bytes.count else {
                throw SyntaxError("unexpected end of file inside an array opened at \(start); the document is truncated", at: location)
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                break
            }
            throw SyntaxError("expected ',' or ']' but found \(describeCurrent())", at: location)
        }
        let elements = openElements.popRegion(from: base)
        return Node(.array(elements), at: start)
    }

    /// Between two values: every byte before `index` is in the tree (copied) or was syntax.
    private mutating func releaseRead() {
        release?(index, location)
        nextRelease = index + JSONParser.releaseInterval
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let start = location
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in text {
            guard index < bytes.count, bytes[index] == byte else {
                throw SyntaxError("invalid literal; expected '\(literal)'", at: start)
            }
            index += 1
        }
    }

    private mutating func parseNumber(_ start: SourceLocation) throws(SyntaxError) -> Node {
        let begin = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw SyntaxError("invalid number: expected a digit", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw SyntaxError("invalid number: leading zeros are not allowed in JSON", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw SyntaxError("invalid number: expected a digit after '.'", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw SyntaxError("invalid number: expected a digit in the exponent", at: start)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<index]), as: UTF8.self)
        if isInteger, let int = Int(text) { return Node(.integer(int), at: start) }
        if isInteger { return Node(.bigInteger(text), at: start) }
        guard let double = Double(text), double.isFinite else {
            throw SyntaxError("number \(text) is out of range", at: start)
        }
        return Node(.number(double), at: start)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = location
        index += 1
        let begin = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let string = strings.string(UnsafeBufferPointer(rebasing: bytes[begin..<index]))
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                throw SyntaxError(
                    byte == 0x0A
                        ? "unterminated string (a raw line break is not allowed inside a JSON string)"
                        : "control character in string; escape it", at: location)
            }
            if byte & 0xC0 == 0x80 { continuationBytes += 1 }
            index += 1
        }
        guard index < bytes.count else { throw SyntaxError("unterminated string; the document is truncated", at: start) }
        var scalars = Array(UnsafeBufferPointer(rebasing: bytes[begin..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if byte < 0x20 {
                throw SyntaxError(
                    byte == 0x0A
                        ? "unterminated string (a raw line break is not allowed inside a JSON string)"
                        : "control character in string; escape it", at: location)
            }
            if byte == UInt8(ascii: "\\") {
                let escapeLocation = location
                index += 1
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try readHex4(escapeLocation)
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw SyntaxError("unpaired UTF-16 surrogate in \\u escape", at: escapeLocation)
                        }
                        index += 2
                        let low = try readHex4(escapeLocation)
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw SyntaxError("unpaired UTF-16 surrogate in \\u escape", at: escapeLocation)
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw SyntaxError("unpaired UTF-16 surrogate in \\u escape", at: escapeLocation)
                    }
                    scalars.append(contentsOf: JSONParser.utf8Bytes(of: Unicode.Scalar(code) ?? "\u{FFFD}"))
                default:
                    throw SyntaxError("invalid escape '\\\(Character(UnicodeScalar(escaped)))' in string", at: escapeLocation)
                }
                continue
            }
            if byte & 0xC0 == 0x80 { continuationBytes += 1 }
            scalars.append(byte)
            index += 1
        }
        throw SyntaxError("unterminated string; the document is truncated", at: start)
    }

    private mutating func readHex4(_ at: SourceLocation) throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw SyntaxError("truncated \\u escape", at: at) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw SyntaxError("invalid hex digit in \\u escape", at: at)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension JSONParser {
    static func utf8Bytes(of scalar: Unicode.Scalar) -> [UInt8] {
        Array(String(Character(scalar)).utf8)
    }
}
