import Foundation
import PipeOpsModel

/// An error the SageMaker API returned.
public struct AWSServiceError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var status: Int

    public var isThrottling: Bool {
        [
            "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
            "ProvisionedThroughputExceededException",
            "RequestThrottled", "SlowDown",
        ].contains(code)
    }
}

/// A SageMaker API client speaking JSON 1.1 with SigV4 over a transport.
///
/// Throttling and 5xx answers are retried with exponential backoff and full jitter. With
/// `log` set, every request is logged with its operation and status; the Authorization and
/// X-Amz-Security-Token headers and all credentials are never logged.
public struct SageMakerClient: Sendable {
    public var endpoint: URL
    public var signer: SigV4Signer
    public var transport: any HTTPTransport
    public var maxAttempts: Int
    public var log: (@Sendable (String) -> Void)?
    /// Where credentials come from when they can expire (assumed roles, SSO, web identity…):
    /// asked before every request, it refreshes them shortly before they expire.
    public var provider: CredentialProvider?
    /// The X-Amz-Target prefix and the name in messages: another JSON 1.1 service (CloudWatch
    /// Logs) is the same protocol with its own prefix, signing name and endpoint.
    public var targetPrefix = "SageMaker"
    public var serviceName = "SageMaker"

    /// A client of CloudWatch Logs with this client's credentials and region.
    public func logs(endpoint: URL?) -> SageMakerClient {
        var client = self
        client.endpoint = endpoint ?? URL(string: "https://logs.\(signer.region).\(AWSEndpoints.suffix(region: signer.region))")!
        client.signer = SigV4Signer(credentials: signer.credentials, region: signer.region, service: "logs")
        client.targetPrefix = "Logs_20140328"
        client.serviceName = "CloudWatch Logs"
        return client
    }

    public init(
        region: String, credentials: AWSCredentials, endpoint: URL? = nil, transport: any HTTPTransport = CurlTransport(),
        maxAttempts: Int = 5, log: (@Sendable (String) -> Void)? = nil
    ) {
        self.endpoint = endpoint ?? URL(string: "https://api.sagemaker.\(region).\(AWSEndpoints.suffix(region: region))")!
        signer = SigV4Signer(credentials: credentials, region: region, service: "sagemaker")
        self.transport = transport
        self.maxAttempts = maxAttempts
        self.log = log
    }

    public enum CallError: Error, Sendable {
        case service(AWSServiceError)
        case tool(PipeOpsError)

        public var description: String {
            switch self {
            case .service(let error): return "SageMaker \(error.code): \(error.message)"
            case .tool(let error): return error.errorDescription ?? "\(error)"
            }
        }
    }

    /// Calls `operation` with a JSON body and returns the decoded JSON answer.
    public func call(_ operation: String, _ body: Node) throws(CallError) -> Node {
        let payload = CanonicalJSON.data(body, sortKeys: false)
        var attempt = 0
        while true {
            attempt += 1
            let request = SigV4Signer.Request(
                method: "POST", url: endpoint,
                headers: [
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("X-Amz-Target", "\(targetPrefix).\(operation)"),
                    ("Host", SigV4Signer.host(of: endpoint)),
                ], body: payload)
            var signer = self.signer
            if let provider {
                do { signer.credentials = try provider.credentials() } catch { throw .tool(error) }
            }
            let signed = signer.sign(request)
            let started = Date()
            let response: HTTPResponse
            do {
                response = try transport.send(HTTPRequest(method: "POST", url: endpoint, headers: signed.headers, body: payload))
            } catch {
                if attempt < maxAttempts {
                    log?("\(operation): \(error.errorDescription ?? "network error"); retrying")
                    backoff(attempt)
                    continue
                }
                throw .tool(.message("\(serviceName) \(operation): \(error.errorDescription ?? "network error")\(Self.attempts(attempt))"))
            }
            log.map { write in { write(Redaction.redact($0)) } }?(
                "POST \(endpoint.absoluteString) \(operation) → \(response.status) in \(Int(Date().timeIntervalSince(started) * 1000)) ms"
                    + " (signed headers: \(signed.headers.map(\.name).filter { !["authorization", "x-amz-security-token"].contains($0.lowercased()) }.joined(separator: ", ")))"
            )
            if (200..<300).contains(response.status) {
                if response.body.isEmpty { return Node(.object([])) }
                do { return try DocumentLoader.parse(data: response.body, path: operation, syntax: .json).root } catch {
                    // A broken answer (truncated, a proxy's page) is a fault of the way, not of the request.
                    if attempt < maxAttempts && operation != "StartPipelineExecution" {
                        log?("\(operation): the answer is not JSON; retrying")
                        backoff(attempt)
                        continue
                    }
                    throw .tool(.message("\(serviceName) \(operation) answered with something that is not JSON\(Self.attempts(attempt))"))
                }
            }
            let error = Self.decodeError(response)
            if (error.isThrottling || response.status >= 500) && attempt < maxAttempts {
                log?("\(operation): \(error.code); retry \(attempt) of \(maxAttempts - 1)")
                backoff(attempt)
                continue
            }
            throw .service(error)
        }
    }

    static func attempts(_ count: Int) -> String { count > 1 ? " (tried \(count) times)" : "" }

    package func backoff(_ attempt: Int) {
        let cap = min(20.0, 0.2 * pow(2.0, Double(attempt)))
        Thread.sleep(forTimeInterval: Double.random(in: 0...cap))
    }

    static func decodeError(_ response: HTTPResponse) -> AWSServiceError {
        let node = try? DocumentLoader.parse(data: response.body, path: "error", syntax: .json).root
        var code = node?["__type"]?.string ?? node?["code"]?.string ?? "HTTP\(response.status)"
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        let message =
            node?["message"]?.string ?? node?["Message"]?.string
            ?? (node == nil ? "HTTP \(response.status) with a body that is not an AWS JSON error" : "HTTP \(response.status)")
        return AWSServiceError(code: code, message: Redaction.redact(message), status: response.status)
    }
}
