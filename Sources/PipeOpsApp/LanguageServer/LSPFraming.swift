import Foundation
import PipeOpsModel

/// The base protocol of the Language Server Protocol: `Content-Length: N\r\n\r\n` then N bytes
/// of JSON-RPC. Bytes in, whole messages out; a frame whose body is not JSON is reported as such
/// (the server answers it with a parse error) and reading goes on.
public struct LSPFrameReader: Sendable {
    public enum Frame: Sendable {
        case message(PipeOpsModel.Node)
        case malformed(String)
    }

    var buffer = Data()
    /// A header block larger than this, or a body larger than `maximumBody`, is no LSP client.
    static let maximumHeader = 8 * 1024
    static let maximumBody = 64 * 1024 * 1024

    public init() {}

    public mutating func append(_ data: Data) -> [Frame] {
        buffer.append(data)
        var frames: [Frame] = []
        let separator = Data("\r\n\r\n".utf8)
        while let end = buffer.range(of: separator) {
            let header = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
            var length: Int?
            for line in header.components(separatedBy: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" {
                    length = Int(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
            guard let length, length >= 0, length <= Self.maximumBody else {
                // No usable length: drop the header and resynchronise on the next one.
                buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                frames.append(.malformed("a message header without a valid Content-Length"))
                continue
            }
            let bodyStart = end.upperBound
            guard buffer.distance(from: bodyStart, to: buffer.endIndex) >= length else { break }
            let bodyEnd = buffer.index(bodyStart, offsetBy: length)
            let body = buffer.subdata(in: bodyStart..<bodyEnd)
            buffer.removeSubrange(buffer.startIndex..<bodyEnd)
            do {
                frames.append(.message(try DocumentLoader.parse(data: body, path: "message", syntax: .json).root))
            } catch {
                frames.append(.malformed("the message is not JSON"))
            }
        }
        if buffer.count > Self.maximumHeader, buffer.range(of: separator) == nil, !buffer.starts(with: Data("Content-Length".utf8)) {
            buffer.removeAll()
            frames.append(.malformed("bytes that are no LSP message header"))
        }
        return frames
    }

    /// One message as its frame.
    public static func frame(_ message: PipeOpsModel.Node) -> Data {
        let body = CanonicalJSON.data(message, sortKeys: false)
        var data = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        data.append(body)
        return data
    }
}
