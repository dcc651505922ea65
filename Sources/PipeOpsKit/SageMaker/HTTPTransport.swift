import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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

/// The network behind the SageMaker client: URLSession here, a double in tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) throws(PipeOpsError) -> HTTPResponse
}

/// URLSession, used synchronously (the CLI has nothing else to do while it waits).
public struct URLSessionTransport: HTTPTransport {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 60) { self.timeout = timeout }

    public func send(_ request: HTTPRequest) throws(PipeOpsError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body
        final class Box: @unchecked Sendable { var result: Result<HTTPResponse, PipeOpsError>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        // A session of our own with its own delegate queue: the caller blocks on the semaphore,
        // so the completion must never need the caller's thread (or the main queue).
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: nil, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: urlRequest) { data, response, error in
            if let error {
                box.result = .failure(.message("cannot reach \(request.url.host ?? "the endpoint"): \(error.localizedDescription)"))
            } else {
                let http = response as? HTTPURLResponse
                var headers: [String: String] = [:]
                for (name, value) in http?.allHeaderFields ?? [:] {
                    if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                }
                box.result = .success(HTTPResponse(status: http?.statusCode ?? 0, body: data ?? Data(), headers: headers))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        switch box.result {
        case .success(let response)?: return response
        case .failure(let error)?: throw error
        case nil: throw .message("no response from \(request.url.host ?? "the endpoint")")
        }
    }
}
