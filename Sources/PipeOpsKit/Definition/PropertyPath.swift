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
        if body.hasPrefix("$.") { body = body.dropFirst(2) } else if body.hasPrefix("$[") { body = body.dropFirst(1) } else if body == "$" {
            return .success(PropertyPath(segments: []))
        }
        if body.isEmpty { return .failure(PathError(message: "the path is empty", offset: 0)) }
        for unsupported in ["..", "*", "?(", "[?", ":"] where body.contains(unsupported) {
            return .failure(PathError(message: "'\(unsupported)' (wildcards, filters, slices, deep scan) selects many values; JsonGet needs a path to one value", offset: 0))
        }
        return parse(String(body), leadingDot: false)
    }

    public struct PathError: Error, Sendable, Equatable {
        public var message: String
        public var offset: Int
    }

    private static func parse(_ text: String, leadingDot: Bool) -> Result<PropertyPath, PathError> {
        let chars = Array(text)
        var i = 0
        var segments: [Segment] = []
        var expectName = !leadingDot
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == ":" || c == "@" || c == "$" }
        while i < chars.count || expectName {
            if expectName {
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                let name = String(chars[start..<i])
                if name.isEmpty {
                    return .failure(PathError(message: i < chars.count ? "expected a name before '\(chars[i])'" : "the path ends with '.'", offset: start))
                }
                if let bad = name.first(where: { !isNameChar($0) && $0 != " " }) {
                    return .failure(PathError(message: "unexpected '\(bad)' in name '\(name)'; quote keys with special characters as ['...']", offset: start))
                }
                segments.append(.member(name))
                expectName = false
                continue
            }
            switch chars[i] {
            case ".":
                i += 1
                expectName = true
            case "[":
                i += 1
                guard i < chars.count else { return .failure(PathError(message: "unclosed '['", offset: i - 1)) }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    let start = i
                    while i < chars.count, chars[i] != quote { i += 1 }
                    guard i < chars.count else { return .failure(PathError(message: "unterminated quoted key", offset: start - 1)) }
                    let key = String(chars[start..<i])
                    i += 1
                    guard i < chars.count, chars[i] == "]" else { return .failure(PathError(message: "expected ']' after the quoted key", offset: i)) }
                    i += 1
                    segments.append(.key(key))
                } else {
                    let start = i
                    while i < chars.count, chars[i] != "]" { i += 1 }
                    guard i < chars.count else { return .failure(PathError(message: "unclosed '['", offset: start - 1)) }
                    let body = String(chars[start..<i]).trimmingCharacters(in: .whitespaces)
                    guard let index = Int(body) else {
                        return .failure(PathError(message: "'[\(body)]' is neither an index nor a quoted key; write [0] or ['\(body)']", offset: start))
                    }
                    i += 1
                    segments.append(.index(index))
                }
            default:
                return .failure(PathError(message: "expected '.' or '[' but found '\(chars[i])'", offset: i))
            }
        }
        return .success(PropertyPath(segments: segments))
    }
}

import Foundation
