import Foundation

/// Finds AWS credentials written into a product's files: access key ids (AKIA…, ASIA…), secret
/// access keys and session tokens given under their names. Values are never shown whole: a
/// finding says what it found, redacted (`AKIA…(16 more)`). AWS's documentation examples (keys
/// ending in EXAMPLE) are not credentials.
public enum SecretScanner {
    public struct Hit: Sendable, Equatable {
        /// 1-based line and column of the value in the text scanned.
        public var line: Int
        public var column: Int
        public var what: String
    }

    private static let keyID = try? NSRegularExpression(pattern: #"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#)
    private static let named: [(NSRegularExpression, String)] = [
        (#"(?i)(?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#, "a secret access key"),
        (#"(?i)(?:aws_?)?session_?token["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{100,})"#, "a session token"),
        (#"(?i)(?:aws_?)?security_?token["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{100,})"#, "a session token"),
    ].compactMap { pattern, what in (try? NSRegularExpression(pattern: pattern)).map { ($0, what) } }

    /// Every credential in `text`, with its position.
    public static func scan(_ text: String) -> [Hit] {
        guard text.contains("AKIA") || text.contains("ASIA") || text.lowercased().contains("secret") || text.lowercased().contains("token")
        else { return [] }
        var hits: [Hit] = []
        let range = NSRange(text.startIndex..., in: text)
        keyID?.enumerateMatches(in: text, range: range) { match, _, _ in
            guard let match, let found = Range(match.range, in: text), !text[found].hasSuffix("EXAMPLE") else { return }
            hits.append(hit(text, at: found.lowerBound, "an access key id \(text[found].prefix(4))…(16 more)"))
        }
        for (expression, what) in named {
            expression.enumerateMatches(in: text, range: range) { match, _, _ in
                guard let match, let value = Range(match.range(at: 1), in: text), !text[value].hasSuffix("EXAMPLEKEY") else { return }
                hits.append(hit(text, at: value.lowerBound, "\(what) \(text[value].prefix(4))…(\(text[value].count - 4) more)"))
            }
        }
        return hits.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    static func hit(_ text: String, at index: String.Index, _ what: String) -> Hit {
        let before = text[..<index]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.distance(from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex, to: index) + 1
        return Hit(line: line, column: column, what: what)
    }
}
