import Foundation
import PipeOpsModel

#if canImport(Glibc)
    import Glibc
#endif

/// The local S3 as an S3 API on the loopback interface, for steps that reach S3 themselves:
/// boto3 in a processing script, the SDK's `@step` runtime reading its pickled function and
/// writing its result. Path-style GetObject (with Range), HeadObject, PutObject (plain or
/// aws-chunked), DeleteObject and ListObjectsV2 over the same `LocalS3` the engine stages from,
/// so a step sees exactly the objects the run sees; `local.s3` folders stay read-only.
///
/// Only the run's steps get in: each request must be signed with the access key the engine
/// handed its steps (a random one per execution; the signature itself is not checked, the
/// socket listens on 127.0.0.1 only).
public final class LocalS3Endpoint: @unchecked Sendable {
    public let url: String
    public let accessKey: String
    let store: LocalS3
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false

    public init(store: LocalS3) throws(PipeOpsError) {
        self.store = store
        accessKey = "PIPEOPSLOCAL" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8))
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw .message("cannot open the local S3 endpoint's socket (errno \(errno))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard bound == 0, named == 0, listen(socket, 64) == 0 else {
            close(socket)
            throw .message("cannot listen on 127.0.0.1 for the local S3 endpoint (errno \(errno))")
        }
        listener = socket
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "pipeops-local-s3"
        thread.start()
    }

    /// What a step's environment gets: the endpoint, the run's key, and no other credential
    /// source (no shared files, no instance metadata), so boto3 reaches this store and nothing else.
    public var stepEnvironment: [String: String] {
        [
            "AWS_ENDPOINT_URL_S3": url, "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_CONFIG_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_S3_ADDRESSING_STYLE": "path",
        ]
    }

    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        if first {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done || (errno != EINTR && errno != ECONNABORTED) { return }
                continue
            }
            DispatchQueue.global().async { [self] in
                serve(connection)
                close(connection)
            }
        }
    }

    // MARK: HTTP

    struct Request {
        var method: String
        var path: String
        var query: [String: String]
        var headers: [String: String]
        var body: Data
    }

    private func serve(_ connection: Int32) {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = Self.read(connection) else { return }
        let response = respond(request)
        Self.write(connection, response, head: request.method == "HEAD")
    }

    static func read(_ connection: Int32) -> Request? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0, buffer.count < 64 * 1024 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
        let end = buffer.range(of: separator)!
        let lines = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(buffer[end.upperBound...])
        let wanted = Int(headers["content-length"] ?? "0") ?? 0
        guard wanted <= 5 * 1024 * 1024 * 1024 else { return nil }
        while body.count < wanted {
            let count = recv(connection, &chunk, min(chunk.count, wanted - body.count), 0)
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[0..<count])
        }
        if headers["content-encoding"]?.contains("aws-chunked") == true || headers["x-amz-content-sha256"]?.hasPrefix("STREAMING-") == true
        {
            guard let decoded = decodeChunked(body) else { return nil }
            body = decoded
        }
        let target = String(parts[1])
        let pathPart = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        return Request(
            method: String(parts[0]), path: pathPart.removingPercentEncoding ?? pathPart, query: query, headers: headers, body: body)
    }

    /// The aws-chunked body: `hex-size[;chunk-signature=…]\r\n bytes \r\n … 0\r\n trailers`.
    static func decodeChunked(_ body: Data) -> Data? {
        var decoded = Data()
        var index = body.startIndex
        let crlf = Data("\r\n".utf8)
        while index < body.endIndex {
            guard let lineEnd = body.range(of: crlf, in: index..<body.endIndex) else { return nil }
            let header = String(decoding: body[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(header.split(separator: ";").first ?? "", radix: 16) else { return nil }
            if size == 0 { return decoded }
            let start = lineEnd.upperBound
            guard body.distance(from: start, to: body.endIndex) >= size else { return nil }
            let stop = body.index(start, offsetBy: size)
            decoded.append(body[start..<stop])
            index = min(body.index(stop, offsetBy: 2, limitedBy: body.endIndex) ?? body.endIndex, body.endIndex)
        }
        return nil
    }

    struct Response {
        var status: Int
        var headers: [(String, String)] = []
        var body = Data()
    }

    static func write(_ connection: Int32, _ response: Response, head: Bool) {
        let reasons = [
            200: "OK", 204: "No Content", 206: "Partial Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed",
            416: "Range Not Satisfiable", 500: "Internal Server Error", 501: "Not Implemented",
        ]
        var text = "HTTP/1.1 \(response.status) \(reasons[response.status] ?? "Error")\r\nConnection: close\r\n"
        var headers = response.headers
        if !headers.contains(where: { $0.0 == "Content-Length" }) { headers.append(("Content-Length", "\(response.body.count)")) }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        var data = Data((text + "\r\n").utf8)
        if !head { data.append(response.body) }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }
}
