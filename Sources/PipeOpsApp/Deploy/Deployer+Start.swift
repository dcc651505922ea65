import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// Starting an execution once, whatever the network does.
extension Deployer {
    /// The marker in an execution's description that names the `start` request behind it.
    static func requestMarker(_ token: String) -> String { "started by pipeops (request \(token))" }

    /// Starts an execution with string parameter values; returns its ARN.
    ///
    /// Never starts two executions for one call. One ClientRequestToken goes with every attempt,
    /// and the execution's description names it. When an answer is lost (a reset, a 5xx, a body
    /// that does not parse) the execution may exist all the same, and a service that ignores the
    /// token (moto does) would start a second one on a retry: so before any retry, and once more
    /// before giving up, pipeops looks for the execution its request started
    /// (ListPipelineExecutions since the request, matched by the description) and adopts it.
    public static func start(
        pipelineName: String, parameters: [String: Node], parallelism: Int?, displayName: String?, client: SageMakerClient,
        selective: Selective? = nil, token: String = UUID().uuidString
    ) throws(SageMakerClient.CallError) -> String {
        var members: [Node.Member] = [
            member("PipelineName", .string(pipelineName)),
            member("ClientRequestToken", .string(token)),
            member("PipelineExecutionDescription", .string(requestMarker(token))),
            member(
                "PipelineParameters",
                .array(
                    parameters.keys.sorted().map { name in
                        Node(.object([member("Name", .string(name)), member("Value", .string(Evaluator.text(parameters[name]!)))]))
                    })),
        ]
        if let displayName { members.append(member("PipelineExecutionDisplayName", .string(displayName))) }
        if let selective {
            var config: [Node.Member] = [
                member("SelectedSteps", .array(selective.steps.map { Node(.object([member("StepName", .string($0))])) }))
            ]
            if let source = selective.sourceExecutionArn { config.insert(member("SourcePipelineExecutionArn", .string(source)), at: 0) }
            members.append(member("SelectiveExecutionConfig", .object(config)))
        }
        if let parallelism {
            members.append(member("ParallelismConfiguration", .object([member("MaxParallelExecutionSteps", .integer(parallelism))])))
        }
        let body = Node(.object(members))
        // Attempts are made here, one request at a time, so that each retry can look first.
        var once = client
        once.maxAttempts = 1
        let since = Date().addingTimeInterval(-300) // clock skew between here and the service
        var lastError: SageMakerClient.CallError?
        for attempt in 1...max(1, client.maxAttempts) {
            do {
                let answer = try once.call("StartPipelineExecution", body)
                if let arn = answer["PipelineExecutionArn"]?.string, arn.hasPrefix("arn:") { return arn }
                lastError = .tool(.message("StartPipelineExecution answered without a PipelineExecutionArn"))
            } catch .service(let error) where !(error.isThrottling || error.status >= 500) {
                // A definite refusal (validation, access): nothing was started.
                throw .service(error)
            } catch .service(let error) where error.isThrottling {
                // Throttled requests are refused before anything starts.
                lastError = .service(error)
                client.backoff(attempt)
                continue
            } catch {
                lastError = error
            }
            // Whether the lost request started one must be known before another is sent.
            switch confirm(token: token, pipelineName: pipelineName, since: since, client: client) {
            case .started(let arn): return arn
            case .unknown(let why):
                throw .tool(
                    .message(
                        "StartPipelineExecution of \(pipelineName) got no usable answer (\(lastError?.description ?? "no answer")) and whether it started an execution cannot be checked (\(why)); nothing more was sent: look for the execution described '\(requestMarker(token))' before starting again"
                    ))
            case .notStarted: break
            }
            if attempt < client.maxAttempts { client.backoff(attempt) }
        }
        let reason = lastError?.description ?? "no answer"
        throw .tool(
            .message(
                "StartPipelineExecution of \(pipelineName) failed after \(client.maxAttempts) attempts (\(reason)); no execution with request \(token) was found, so none was started"
            ))
    }

    enum StartCheck {
        case started(String)
        case notStarted
        case unknown(String)
    }

    /// Looks for the execution of `token`, retrying the lookup itself (it may meet the same
    /// faults as the start did).
    static func confirm(token: String, pipelineName: String, since: Date, client: SageMakerClient) -> StartCheck {
        var once = client
        once.maxAttempts = 1
        var why = "no answer"
        for attempt in 1...max(1, client.maxAttempts) {
            do {
                if let arn = try findStarted(token: token, pipelineName: pipelineName, since: since, client: once) { return .started(arn) }
                return .notStarted
            } catch {
                why = error.description
                if attempt < client.maxAttempts { client.backoff(attempt) }
            }
        }
        return .unknown(why)
    }

    /// The execution a `start` request with `token` started, if the service has it.
    static func findStarted(token: String, pipelineName: String, since: Date, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> String?
    {
        let marker = requestMarker(token)
        var next: String?
        var pages = 0
        repeat {
            var body: [(String, Node)] = [
                ("PipelineName", Node(.string(pipelineName))), ("SortOrder", Node(.string("Descending"))),
                ("MaxResults", Node(.integer(100))), ("CreatedAfter", Node(.number(since.timeIntervalSince1970))),
            ]
            if let next { body.append(("NextToken", Node(.string(next)))) }
            let page = try client.call("ListPipelineExecutions", Node(object: body))
            for summary in page["PipelineExecutionSummaries"]?.elements ?? []
            where summary["PipelineExecutionDescription"]?.string == marker {
                if let arn = summary["PipelineExecutionArn"]?.string { return arn }
            }
            next = page["NextToken"]?.string
            pages += 1
        } while next != nil && pages < 20
        return nil
    }
}
