import CHTTP
import Foundation
import PipeOpsModel

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: Data
    /// Response headers, names lower-cased.
    public var headers: [String: String]

    public init(status: Int, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

/// The network behind the SageMaker client: libcurl here, a double in tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) throws(PipeOpsError) -> HTTPResponse
}

/// HTTP through libcurl's blocking easy interface (loaded on first use; see Sources/CHTTP).
///
/// Limits, so that a bad network ends in a clear line instead of a spin or a hang: connecting
/// takes at most 10 s; a connection that moves no byte for `stall` seconds is dropped; one
/// exchange takes at most `timeout` seconds; and with `PIPEOPS_DEADLINE_SECONDS` set, no request
/// starts or runs past that many seconds after pipeops started.
public struct CurlTransport: HTTPTransport {
    public var timeout: TimeInterval
    public var stall: TimeInterval

    public init(timeout: TimeInterval = 60, stall: TimeInterval? = nil) {
        self.timeout = timeout
        let configured = ProcessInfo.processInfo.environment["PIPEOPS_HTTP_STALL_SECONDS"].flatMap(Double.init)
        self.stall = stall ?? configured ?? 20
    }

    /// When the command must be done by (`PIPEOPS_DEADLINE_SECONDS` after start), if set.
    public static let deadline: Date? = ProcessInfo.processInfo.environment["PIPEOPS_DEADLINE_SECONDS"].flatMap(Double.init).map {
        Date().addingTimeInterval($0)
    }

    public func send(_ request: HTTPRequest) throws(PipeOpsError) -> HTTPResponse {
        let host = request.url.host ?? "the endpoint"
        var limit = timeout
        if let deadline = Self.deadline {
            let left = deadline.timeIntervalSinceNow
            guard left > 0.5 else {
                throw .message("the command's deadline (PIPEOPS_DEADLINE_SECONDS) passed before a request to \(host) could be sent")
            }
            limit = min(limit, left)
        }
        let lines = request.headers.filter { $0.name.lowercased() != "host" }.map { "\($0.name): \($0.value)" }
        var response = pipeops_http_response()
        withCStrings(lines) { pointers in
            request.body.withUnsafeBytes { body in
                pipeops_http_perform(
                    request.method, request.url.absoluteString, pointers, pointers.count, body.baseAddress, body.count, 10,
                    max(1, Int(stall.rounded(.up))), max(1, Int(limit.rounded(.up))), &response)
            }
        }
        defer { pipeops_http_release(&response) }
        let detail = Redaction.redact(withUnsafeBytes(of: response.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        switch response.failure {
        case 0: break
        case 1: throw .message("cannot talk to \(host): \(detail)")
        case 2: throw .message("no answer from \(host) in \(Int(limit)) s")
        case 3: throw .message("the connection to \(host) stalled (nothing arrived for \(Int(stall)) s)")
        case 4: throw .message("cannot connect to \(host): \(detail)")
        case 5: throw .message("the connection to \(host) broke before the answer was complete (\(detail))")
        default: throw .message("cannot reach \(host): \(detail)")
        }
        let body = response.body.map { Data(bytes: $0, count: response.body_length) } ?? Data()
        var headers: [String: String] = [:]
        if let raw = response.headers {
            let text = String(decoding: UnsafeRawBufferPointer(start: raw, count: response.headers_length), as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline).dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return HTTPResponse(status: response.status, body: body, headers: headers)
    }
}

/// Calls `body` with the strings as a C array of NUL-terminated strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
