import Crypto
import Foundation
import PipeOpsModel

/// The two S3 calls pipeops makes (HeadObject, PutObject), signed by S3's SigV4 rules: the
/// canonical URI is the path as sent (keys are percent-encoded once and never normalised) and
/// every request carries `x-amz-content-sha256`. Checked against botocore's S3SigV4Auth.
public struct S3Client: Sendable {
    public var signer: SigV4Signer
    public var transport: any HTTPTransport
    /// A custom endpoint (moto, a VPC endpoint): path-style URLs. Without one, AWS's regional
    /// endpoint with virtual-hosted URLs where the bucket name allows it.
    public var endpoint: URL?
    public var maxAttempts: Int
    public var log: (@Sendable (String) -> Void)?
    public var provider: CredentialProvider?

    public init(
        region: String, credentials: AWSCredentials, endpoint: URL? = nil, transport: any HTTPTransport = CurlTransport(),
        maxAttempts: Int = 4, log: (@Sendable (String) -> Void)? = nil
    ) {
        signer = SigV4Signer(credentials: credentials, region: region, service: "s3")
        self.transport = transport
        self.endpoint = endpoint
        self.maxAttempts = maxAttempts
        self.log = log
    }

    public init(sageMaker client: SageMakerClient, endpoint: URL?) {
        self.init(
            region: client.signer.region, credentials: client.signer.credentials, endpoint: endpoint, transport: client.transport,
            log: client.log)
        provider = client.provider
    }

    /// The request URL of `bucket`/`key`, the key percent-encoded once (everything but unreserved characters and `/`).
    public func url(bucket: String, key: String) -> URL? {
        let encodedKey = SigV4Signer.encode(key, keeping: "/")
        if let endpoint {
            let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
            return URL(string: "\(base)/\(SigV4Signer.encode(bucket, keeping: ""))/\(encodedKey)")
        }
        let region = signer.region
        let suffix = AWSEndpoints.suffix(region: region)
        if Self.isVirtualHostable(bucket) {
            return URL(string: "https://\(bucket).s3.\(region).\(suffix)/\(encodedKey)")
        }
        return URL(string: "https://s3.\(region).\(suffix)/\(SigV4Signer.encode(bucket, keeping: ""))/\(encodedKey)")
    }

    /// DNS-safe bucket names without dots (dots break the TLS wildcard certificate).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        (3...63).contains(bucket.count) && !bucket.contains(".")
            && bucket.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && bucket.first != "-" && bucket.last != "-"
    }

    /// Signs one request: Host and x-amz-content-sha256 are always signed.
    public func signed(method: String, url: URL, headers: [(name: String, value: String)], payloadSha256: String, date: Date = Date())
        -> SigV4Signer.Signed
    {
        var all = headers
        all.append(("Host", SigV4Signer.host(of: url)))
        all.append(("x-amz-content-sha256", payloadSha256))
        var signer = self.signer
        if let provider, let fresh = try? provider.credentials() { signer.credentials = fresh }
        return signer.sign(SigV4Signer.Request(method: method, url: url, headers: all), date: date)
    }

    public struct ObjectInfo: Sendable {
        public var size: Int?
        /// The sha256 pipeops stored with the object, if it did.
        public var sha256: String?
        /// The ETag, unquoted: the MD5 of the bytes for an object put in one request.
        public var etag: String? = nil

        /// Whether the object holds exactly `data`: its size and its ETag (the MD5 S3 computed
        /// from the bytes it stores) must match. Metadata alone proves nothing (anyone who can
        /// write the key can write it); a multipart ETag cannot be checked, so it does not count.
        public func holds(_ data: Data) -> Bool {
            guard size == nil || size == data.count, let etag, etag.count == 32, etag.allSatisfy(\.isHexDigit) else { return false }
            return etag.lowercased() == Hex.lowercase(Insecure.MD5.hash(data: data))
        }
    }

    static let emptySha256 = SHA256.hash(data: Data()).hex

    /// HeadObject: the object's size and recorded sha256, or nil when there is no such object.
    public func head(bucket: String, key: String) throws(PipeOpsError) -> ObjectInfo? {
        let response = try send("HEAD", bucket: bucket, key: key, headers: [], body: Data(), payloadSha256: Self.emptySha256)
        switch response.status {
        case 200..<300:
            return ObjectInfo(
                size: response.headers["content-length"].flatMap { Int($0) }, sha256: response.headers["x-amz-meta-sha256"],
                etag: response.headers["etag"].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
        case 404:
            return nil
        default:
            throw Self.failure("HeadObject", bucket: bucket, key: key, response: response)
        }
    }

    /// PutObject of `data`, whose sha256 is `sha256`; the hash is also stored as metadata.
    public func put(_ data: Data, bucket: String, key: String, sha256: String, contentType: String = "application/octet-stream")
        throws(PipeOpsError)
    {
        let response = try send(
            "PUT", bucket: bucket, key: key,
            headers: [("Content-Type", contentType), ("x-amz-meta-sha256", sha256)], body: data, payloadSha256: sha256)
        guard (200..<300).contains(response.status) else { throw Self.failure("PutObject", bucket: bucket, key: key, response: response) }
    }

    private func send(
        _ method: String, bucket: String, key: String, headers: [(name: String, value: String)], body: Data, payloadSha256: String
    ) throws(PipeOpsError) -> HTTPResponse {
        guard let url = url(bucket: bucket, key: key) else { throw .message("invalid S3 location s3://\(bucket)/\(key)") }
        var attempt = 0
        while true {
            attempt += 1
            if let provider { _ = try provider.credentials() } // a refresh that fails says why, here
            let signed = signed(method: method, url: url, headers: headers, payloadSha256: payloadSha256)
            let started = Date()
            do {
                let response = try transport.send(HTTPRequest(method: method, url: url, headers: signed.headers, body: body))
                log?("\(method) s3://\(bucket)/\(key) → \(response.status) in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
                if (response.status >= 500 || response.status == 429 || Self.retried.contains(Self.errorCode(response.body) ?? ""))
                    && attempt < maxAttempts
                {
                    backoff(attempt)
                    continue
                }
                return response
            } catch {
                log?("\(method) s3://\(bucket)/\(key): \(error.errorDescription ?? "network error")")
                if attempt < maxAttempts {
                    backoff(attempt)
                    continue
                }
                throw .message(
                    "S3 \(method) s3://\(bucket)/\(key): \(error.errorDescription ?? "network error")\(SageMakerClient.attempts(attempt))")
            }
        }
    }

    func backoff(_ attempt: Int) {
        Thread.sleep(forTimeInterval: Double.random(in: 0...min(10.0, 0.2 * pow(2.0, Double(attempt)))))
    }

    static func errorCode(_ body: Data) -> String? { element("Code", in: body) }

    /// S3 error codes worth another attempt: throttling, and RequestTimeout (S3's 400 for a
    /// request body that arrived too slowly).
    static let retried: Set<String> = ["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable"]

    static func element(_ name: String, in body: Data) -> String? {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func failure(_ operation: String, bucket: String, key: String, response: HTTPResponse) -> PipeOpsError {
        let code = errorCode(response.body) ?? "HTTP \(response.status)"
        let message = element("Message", in: response.body).map { ": \(Redaction.redact($0))" } ?? ""
        var hint = ""
        switch code {
        case "NoSuchBucket": hint = " (create the bucket, or fix the prefix under code: in pipeops.yaml)"
        case "AccessDenied", "HTTP 403":
            hint = " (the credentials need s3:GetObject and s3:PutObject on it, and s3:ListBucket for a clean 404)"
        default: break
        }
        return .message("S3 \(operation) s3://\(bucket)/\(key) failed with \(code)\(message)\(hint)")
    }
}
