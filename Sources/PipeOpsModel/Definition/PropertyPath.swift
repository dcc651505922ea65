import Foundation

/// A parsed property path (`.A.B[0].C['key']`) or JSON path (`a.b[0]['k']`).
public struct PropertyPath: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable, CustomStringConvertible {
        case member(String)
        case index(Int)
        case key(String)

        public var description: String {
            switch self {
            case .member(let name): return name
            case .index(let index): return "[\(index)]"
            case .key(let key): return "['\(key)']"
            }
        }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) { self.segments = segments }

    public var description: String {
        var out = ""
        for segment in segments {
            if case .member(let name) = segment {
                if !out.isEmpty { out += "." }
                out += name
            } else {
                out += segment.description
            }
        }
        return out
    }

    /// Parses the part of a `Get` that follows `Steps.<Name>`: it starts with `.` or `[`.
    public static func parseProperty(_ text: String) -> Result<PropertyPath, PathError> {
        parse(text, leadingDot: true)
    }

    /// Parses a `Std:JsonGet` Path. A leading `$` or `$.` (Jayway JsonPath root) is accepted.
    public static func parseJSONPath(_ text: String) -> Result<PropertyPath, PathError> {
        var body = Substring(text)
        if body.hasPrefix("$.") {
            body = body.dropFirst(2)
        } else if body.hasPrefix("$[") {
            body = body.dropFirst(1)
        } else if body == "$" {
            return .success(PropertyPath(segments: []))
        }
        if body.isEmpty { return .failure(PathError(message: "the path is empty", offset: 0)) }
        for unsupported in ["..", "*", "?(", "[?", ":"] where body.contains(unsupported) {
            return .failure(
                PathError(
                    message:
                        "'\(unsupported)' (wildcards, filters, slices, deep scan) selects many values; JsonGet needs a path to one value",
                    offset: 0))
        }
        return parse(String(body), leadingDot: false)
    }

    public struct PathError: Error, Sendable, Equatable {
        public var message: String
        public var offset: Int
    }

    private static func parse(_ text: String, leadingDot: Bool) -> Result<PropertyPath, PathError> {
        let bytes = Array(text.utf8)
        var i = 0
        var segments: [Segment] = []
        var expectName = !leadingDot
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func isNameByte(_ b: UInt8) -> Bool {
            b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ":") || b == UInt8(ascii: "@")
                || b == UInt8(ascii: "$") || b == UInt8(ascii: " ")
        }
        let dot = UInt8(ascii: ".")
        let open = UInt8(ascii: "[")
        let close = UInt8(ascii: "]")
        while i < bytes.count || expectName {
            if expectName {
                let start = i
                while i < bytes.count, bytes[i] != dot, bytes[i] != open { i += 1 }
                if start == i {
                    return .failure(
                        PathError(
                            message: i < bytes.count ? "expected a name before '\(string(i..<i + 1))'" : "the path ends with '.'",
                            offset: start))
                }
                if let bad = bytes[start..<i].first(where: { !isNameByte($0) }) {
                    return .failure(
                        PathError(
                            message:
                                "unexpected '\(Character(UnicodeScalar(bad)))' in name '\(string(start..<i))'; quote keys with special characters as ['...']",
                            offset: start))
                }
                segments.append(.member(string(start..<i)))
                expectName = false
                continue
            }
            switch bytes[i] {
            case dot:
                i += 1
                expectName = true
            case open:
                i += 1
                guard i < bytes.count else { return .failure(PathError(message: "unclosed '['", offset: i - 1)) }
                if bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\"") {
                    let quote = bytes[i]
                    i += 1
                    let start = i
                    while i < bytes.count, bytes[i] != quote { i += 1 }
                    guard i < bytes.count else { return .failure(PathError(message: "unterminated quoted key", offset: start - 1)) }
                    let key = string(start..<i)
                    i += 1
                    guard i < bytes.count, bytes[i] == close else {
                        return .failure(PathError(message: "expected ']' after the quoted key", offset: i))
                    }
                    i += 1
                    segments.append(.key(key))
                } else {
                    let start = i
                    while i < bytes.count, bytes[i] != close { i += 1 }
                    guard i < bytes.count else { return .failure(PathError(message: "unclosed '['", offset: start - 1)) }
                    let body = string(start..<i).trimmingCharacters(in: .whitespaces)
                    guard let index = Int(body) else {
                        return .failure(
                            PathError(message: "'[\(body)]' is neither an index nor a quoted key; write [0] or ['\(body)']", offset: start))
                    }
                    i += 1
                    segments.append(.index(index))
                }
            default:
                let end = min(bytes.count, i + 1)
                return .failure(PathError(message: "expected '.' or '[' but found '\(string(i..<end))'", offset: i))
            }
        }
        return .success(PropertyPath(segments: segments))
    }
}
