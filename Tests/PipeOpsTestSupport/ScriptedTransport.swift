import Foundation
import PipeOpsAWS
import PipeOpsModel

/// An HTTP transport that answers from a script and keeps every request it was sent.
package final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    package var answers: [HTTPResponse]
    package var requests: [HTTPRequest] = []
    package init(_ answers: [HTTPResponse]) { self.answers = answers }
    package func send(_ request: HTTPRequest) throws(PipeOpsError) -> HTTPResponse {
        requests.append(request)
        return answers.isEmpty ? HTTPResponse(status: 500, body: Data()) : answers.removeFirst()
    }
}
