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

    /// A cheap first look for one value under `key`: an access key id's prefix in the value, or
    /// "secret"/"token" in the value or (for a long value) its key. No allocation.
    public static func mayHold(_ value: String, key: String?) -> Bool {
        let bytes = value.utf8
        guard bytes.count >= 16 else { return false }
        if contains(bytes, "AKIA") || contains(bytes, "ASIA") { return true }
        if contains(bytes, "secret", ignoringCase: true) || contains(bytes, "token", ignoringCase: true) { return true }
        guard bytes.count >= 40, let key else { return false }
        return contains(key.utf8, "secret", ignoringCase: true) || contains(key.utf8, "token", ignoringCase: true)
    }

    /// Whether a file's bytes could hold a credential at all (one pass, no allocation).
    public static func mayHoldAny(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in mayHoldAny(raw.bindMemory(to: UInt8.self), from: 0, to: raw.count) }
    }

    /// The same for the four-byte windows that start in `from..<to` (a window is read whole, past
    /// `to`), so that a file can be scanned a chunk at a time.
    static func mayHoldAny(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Bool {
        let last = min(end, bytes.count - 3)
        guard from < last else { return false }
        for i in from..<last {
            let a = bytes[i] | 0x20
            let b = bytes[i + 1] | 0x20
            let c = bytes[i + 2] | 0x20
            let d = bytes[i + 3] | 0x20
            // akia, asia, secr(et), toke(n): lower-cased by setting bit 5 (letters only matter here).
            if a == 0x61 && (b == 0x6B || b == 0x73) && c == 0x69 && d == 0x61 { return true }
            if a == 0x73 && b == 0x65 && c == 0x63 && d == 0x72 { return true }
            if a == 0x74 && b == 0x6F && c == 0x6B && d == 0x65 { return true }
        }
        return false
    }

    /// Whether `haystack` holds the ASCII `needle` (case-insensitively when asked).
    static func contains(_ haystack: String.UTF8View, _ needle: StaticString, ignoringCase: Bool = false) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first else { return true }
        func fold(_ byte: UInt8) -> UInt8 { ignoringCase && byte >= 65 && byte <= 90 ? byte + 32 : byte }
        var index = haystack.startIndex
        while index != haystack.endIndex {
            if fold(haystack[index]) == first {
                var candidate = index
                var matched = true
                for expected in pattern {
                    guard candidate != haystack.endIndex, fold(haystack[candidate]) == expected else {
                        matched = false
                        break
                    }
                    candidate = haystack.index(after: candidate)
                }
                if matched { return true }
            }
            index = haystack.index(after: index)
        }
        return false
    }

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
