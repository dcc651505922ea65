import Foundation

/// Removes credentials from text that came from a service or a network before it is printed,
/// logged or recorded: session tokens, signatures, credential scopes, pre-signed query strings,
/// access key ids, secret keys and bearer tokens. AWS puts the whole canonical request (with
/// `x-amz-security-token:<token>`) into its signature-mismatch messages, so a service's error
/// message is never printed as it came.
public enum Redaction {
    public static let mask = "[redacted]"

    /// Each pattern keeps its first group (the name) and replaces the rest (the value).
    private static let rules: [NSRegularExpression] = [
        // Headers and query parameters, as in canonical requests and pre-signed URLs.
        #"(?i)(x-amz-security-token\s*[:=]\s*)[^\s&"',;<>\\]+"#,
        #"(?i)(x-amz-signature\s*[:=]\s*)[^\s&"',;<>\\]+"#,
        #"(?i)(x-amz-credential\s*[:=]\s*)[^\s&"',;<>\\]+"#,
        #"(?i)(authorization\s*:\s*)[^\n"]+"#,
        #"(?i)(\bSignature=)[0-9a-f]{16,}"#,
        #"(?i)(\bCredential=)[^,\s"]+"#,
        #"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}"#,
        // Named values in JSON, INI files, environment dumps and messages.
        #"(?i)((?:aws_)?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}"#,
        #"(?i)((?:aws_)?session_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}"#,
        #"(?i)((?:aws_)?security_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}"#,
        #"(?i)("?(?:Token|AccessToken|authorizationToken)"?\s*:\s*")[^"]{16,}"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    /// Access key ids (AKIA… long-term, ASIA… temporary): the prefix stays, so a reader can still
    /// tell which kind of key was used.
    private static let keyID = try? NSRegularExpression(pattern: #"\b((?:AKIA|ASIA))[A-Z0-9]{16}\b"#)

    /// The text with every credential-shaped value replaced by `[redacted]`.
    public static func redact(_ text: String) -> String {
        guard mayHoldSecrets(text) else { return text }
        var result = text
        for rule in rules {
            result = rule.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "$1\(mask)")
        }
        if let keyID {
            result = keyID.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "$1\(mask)")
        }
        return result
    }

    /// A cheap first look, so ordinary messages cost no regular expressions.
    static func mayHoldSecrets(_ text: String) -> Bool {
        let lower = text.lowercased()
        return ["token", "signature", "credential", "secret", "authorization", "bearer", "akia", "asia"].contains { lower.contains($0) }
    }
}
