import Crypto
import Foundation
import PipeOpsModel

/// AWS Signature Version 4, producing exactly what botocore's SigV4Auth produces (its tests
/// compare canonical request, string to sign and Authorization header on a table of requests).
public struct SigV4Signer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var url: URL
        public var headers: [(name: String, value: String)]
        public var body: Data

        public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public struct Signed: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String
        /// The request's headers after signing (X-Amz-Date, X-Amz-Security-Token, Authorization added).
        public var headers: [(name: String, value: String)]
    }

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    /// Whether the canonical URI is the path normalised and encoded again (every service but
    /// S3), or the path exactly as sent (S3: keys are opaque, `a/../b` and `%2F` are keys too).
    public var normalizesPath: Bool

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        normalizesPath = service != "s3"
    }

    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    public func sign(_ request: Request, date: Date = Date()) -> Signed {
        let timestamp = Self.format(date, "yyyyMMdd'T'HHmmss'Z'")
        var headers = request.headers.filter { $0.name.lowercased() != "authorization" }
        if let index = headers.firstIndex(where: { $0.name.lowercased() == "date" }) {
            headers.remove(at: index)
            headers.append(("Date", Self.format(date, "EEE, dd MMM yyyy HH:mm:ss '-0000'")))
            headers.removeAll { $0.name.lowercased() == "x-amz-date" }
        } else {
            headers.removeAll { $0.name.lowercased() == "x-amz-date" }
            headers.append(("X-Amz-Date", timestamp))
        }
        if let token = credentials.sessionToken {
            headers.removeAll { $0.name.lowercased() == "x-amz-security-token" }
            headers.append(("X-Amz-Security-Token", token))
        }
        var toSign: [String: [String]] = [:]
        for header in headers where !Self.unsignedHeaders.contains(header.name.lowercased()) {
            toSign[header.name.lowercased(), default: []].append(header.value)
        }
        if toSign["host"] == nil { toSign["host"] = [Self.host(of: request.url)] }
        let names = toSign.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        let canonicalHeaders = names.map { name in
            "\(name):"
                + toSign[name]!.map {
                    $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
                }.joined(separator: ",")
        }.joined(separator: "\n")
        let signedHeaders = names.joined(separator: ";")
        let payloadHash =
            headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value
            ?? SHA256.hash(data: request.body).hex
        let canonicalRequest = [
            request.method.uppercased(), normalizesPath ? Self.canonicalPath(request.url) : Self.rawPath(request.url),
            Self.canonicalQuery(request.url),
            canonicalHeaders + "\n", signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, SHA256.hash(data: Data(canonicalRequest.utf8)).hex].joined(
            separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(timestamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.append(("Authorization", authorization))
        return Signed(canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization, headers: headers)
    }

    static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// Lower-case host, with the port only when it is not the scheme's default.
    static func host(of url: URL) -> String {
        let host = (url.host ?? "").lowercased()
        guard let port = url.port else { return host }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : -1
        return port == defaultPort ? host : "\(host):\(port)"
    }

    /// The path exactly as the URL carries it (already percent-encoded), `/` when empty.
    static func rawPath(_ url: URL) -> String {
        let raw = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        return raw.isEmpty ? "/" : raw
    }

    /// The raw path with dot segments and repeated slashes removed, then URI-encoded (keeping / and ~).
    static func canonicalPath(_ url: URL) -> String {
        let raw = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        guard !raw.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in raw.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." { if !output.isEmpty { output.removeLast() } } else { output.append(segment) }
        }
        let normalized =
            (raw.hasPrefix("/") ? "/" : "") + output.joined(separator: "/") + (raw.hasSuffix("/") && !output.isEmpty ? "/" : "")
        return encode(normalized, keeping: "/~")
    }

    /// The query pairs as written in the URL, sorted by key then value.
    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> (String, String) in
            if let equals = pair.firstIndex(of: "=") { return (String(pair[..<equals]), String(pair[pair.index(after: equals)...])) }
            return (String(pair), "")
        }
        return pairs.sorted { a, b in
            a.0 != b.0
                ? a.0.unicodeScalars.lexicographicallyPrecedes(b.0.unicodeScalars)
                : a.1.unicodeScalars.lexicographicallyPrecedes(b.1.unicodeScalars)
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes every byte except unreserved characters and `extra`.
    static func encode(_ text: String, keeping extra: String) -> String {
        var out = ""
        let keep = Set(extra.utf8)
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            if unreserved || keep.contains(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
