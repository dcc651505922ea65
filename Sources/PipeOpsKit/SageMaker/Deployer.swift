import Crypto
import Foundation

/// Upsert and start, with the SageMaker Python SDK's semantics (reference §8.3).
public enum Deployer {
    public struct UpsertResult: Sendable {
        public var created: Bool
        public var pipelineArn: String
        public var versionId: Int?
        public var tags: [(key: String, value: String)]
        public var definitionLocation: String
    }

    /// Definitions this large go through PipelineDefinitionS3Location, as the SDK does.
    public static let s3Threshold = 102_400

    static func tagList(_ tags: [(key: String, value: String)]) -> Node.Value {
        .array(tags.map { Node(.object([member("Key", .string($0.key)), member("Value", .string($0.value))])) })
    }

    /// The CreatePipeline request; `token` makes retries idempotent.
    public static func createRequest(_ rendered: RenderedEnvironment, token: String, s3Location: (bucket: String, key: String)?) -> Node {
        var members = (rendered.request.members ?? []).filter { $0.key != "PipelineDefinition" || s3Location == nil }
        if let s3Location {
            members.append(
                member(
                    "PipelineDefinitionS3Location",
                    .object([member("Bucket", .string(s3Location.bucket)), member("ObjectKey", .string(s3Location.key))])))
        }
        members.append(member("ClientRequestToken", .string(token)))
        return Node(.object(members))
    }

    /// The UpdatePipeline request: the same definition, role, description and parallelism, no tags.
    public static func updateRequest(_ create: Node) -> Node {
        Node(.object((create.members ?? []).filter { !["Tags", "ClientRequestToken"].contains($0.key) }))
    }

    public static func upsert(_ rendered: RenderedEnvironment, client: SageMakerClient, definitionBucket: String?, s3Endpoint: URL?)
        throws(SageMakerClient.CallError) -> UpsertResult
    {
        let definition = rendered.request["PipelineDefinition"]?.string ?? ""
        var location: (bucket: String, key: String)?
        if definition.utf8.count >= s3Threshold {
            guard let bucket = definitionBucket else {
                throw .tool(
                    .message(
                        "the definition is \(ByteCount.format(definition.utf8.count)); over 100 KiB it is uploaded to S3 first: set definitionBucket in the environment file"
                    ))
            }
            let key = "pipeops/\(rendered.environment.pipelineName)/\(rendered.hashes.content).json"
            try uploadDefinition(Data(definition.utf8), bucket: bucket, key: key, client: client, endpoint: s3Endpoint)
            location = (bucket, key)
        }
        let create = createRequest(rendered, token: UUID().uuidString, s3Location: location)
        let where_ = location.map { "s3://\($0.bucket)/\($0.key)" } ?? "inline"
        do {
            let answer = try client.call("CreatePipeline", create)
            return UpsertResult(
                created: true, pipelineArn: answer["PipelineArn"]?.string ?? "", versionId: nil, tags: rendered.tags,
                definitionLocation: where_)
        } catch .service(let error)
            where error.code == "ValidationException" && error.message.contains("already exists")
            || error.code == "ResourceInUse" || error.code == "ConflictException" && error.message.contains("already exists")
        {
            // Update, tag, then read back: a concurrent upsert from another checkout may have
            // interleaved its calls with these (its definition, our tags). Whoever reads a state
            // that is not its own applies its own again, so the pipeline ends as one commit's.
            var applied = try updateAndTag(rendered, update: updateRequest(create), client: client)
            for round in 1...convergenceRounds {
                switch try deployedState(rendered, arn: applied.arn, client: client) {
                case .ours:
                    return UpsertResult(
                        created: false, pipelineArn: applied.arn, versionId: applied.version, tags: applied.tags,
                        definitionLocation: where_)
                case .otherCommit(let commit):
                    // Another upsert finished after this one, whole: the pipeline is one commit's.
                    throw .tool(
                        .message(
                            "another upsert of \(rendered.environment.pipelineName) (commit \(commit.prefix(12))) finished after this one; the pipeline runs that commit's definition with its own tags: run this upsert again to deploy \(rendered.tags.first { $0.key == "pipeops:git-commit" }?.value.prefix(12) ?? "this commit")"
                        ))
                case .mixed(let problem):
                    // Calls of two upserts interleaved; whoever sees it applies its own again.
                    guard round < convergenceRounds else {
                        throw .tool(
                            .message(
                                "upsert of \(rendered.environment.pipelineName) did not converge: \(problem) after \(round) attempts; another upsert keeps changing it: run one upsert at a time, then again"
                            ))
                    }
                    Thread.sleep(forTimeInterval: Double.random(in: 0.1...(0.5 * Double(round))))
                    applied = try updateAndTag(rendered, update: updateRequest(create), client: client)
                }
            }
            throw .tool(.message("upsert of \(rendered.environment.pipelineName) did not converge"))
        }
    }

    static let convergenceRounds = 5

    /// UpdatePipeline, then the stamp tags. A failure says which call failed and what state the
    /// pipeline is left in; the next upsert repairs it (both calls are idempotent).
    static func updateAndTag(_ rendered: RenderedEnvironment, update: Node, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> (arn: String, version: Int?, tags: [(key: String, value: String)])
    {
        let name = rendered.environment.pipelineName
        let answer: Node
        do { answer = try client.call("UpdatePipeline", update) } catch {
            throw .tool(
                .message(
                    "UpdatePipeline of \(name) failed (\(error.description)); the pipeline may be unchanged or updated, its stamp tags are the previous commit's: run the upsert again"
                ))
        }
        let arn = answer["PipelineArn"]?.string ?? ""
        do {
            // Keep existing tags whose keys are not being replaced, then add the merged set.
            var merged: [(key: String, value: String)] = []
            var current: [String: String] = [:]
            let newKeys = Set(rendered.tags.map(\.key))
            for (key, value) in try listTags(arn, client: client) {
                current[key] = value
                guard !newKeys.contains(key) else { continue }
                if let index = merged.firstIndex(where: { $0.key == key }) {
                    merged[index].value = value
                } else {
                    merged.append((key, value))
                }
            }
            merged += rendered.tags
            // AddTags overwrites the keys it names and leaves the others: send what changed.
            let changed = rendered.tags.filter { current[$0.key] != $0.value }
            if !changed.isEmpty {
                _ = try client.call("AddTags", Node(.object([member("ResourceArn", .string(arn)), member("Tags", tagList(changed))])))
            }
            return (arn, answer["PipelineVersionId"]?.int, merged)
        } catch {
            throw .tool(
                .message(
                    "UpdatePipeline of \(name) succeeded, then AddTags failed (\(error.description)): the pipeline runs the new definition (commit \(rendered.tags.first { $0.key == "pipeops:git-commit" }?.value.prefix(12) ?? "?")) while its stamp tags still name the previous one; run the upsert again to repair it"
                ))
        }
    }

    enum DeployedState {
        /// Exactly `rendered`: its definition and its stamp tags.
        case ours
        /// Another commit's definition with that commit's own stamp tags.
        case otherCommit(String)
        /// A definition and stamp tags of two different upserts.
        case mixed(String)
    }

    /// What the deployed pipeline is, compared with `rendered`.
    static func deployedState(_ rendered: RenderedEnvironment, arn: String, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> DeployedState
    {
        let name = rendered.environment.pipelineName
        let described = try client.call("DescribePipeline", Node(object: [("PipelineName", Node(.string(name)))]))
        let deployed = described["PipelineDefinition"]?.string ?? ""
        // The last value of a key is the one in force (a service may list a re-added key twice).
        var deployedTags: [String: String] = [:]
        for (key, value) in try listTags(arn, client: client) { deployedTags[key] = value }
        let ours = rendered.request["PipelineDefinition"]?.string ?? ""
        let mismatch = rendered.tags.first { $0.key.hasPrefix("pipeops:") && deployedTags[$0.key] != $0.value }
        if sameDefinition(deployed, ours) && mismatch == nil { return .ours }
        // Consistent with itself: the definition is the one its own stamp tag hashes.
        if let stamped = deployedTags["pipeops:definition-sha256"], SHA256.hash(data: Data(deployed.utf8)).hex == stamped {
            return .otherCommit(deployedTags["pipeops:git-commit"] ?? "?")
        }
        if !sameDefinition(deployed, ours) { return .mixed("the deployed definition is not the one its stamp tags name") }
        return .mixed("its tag \(mismatch?.key ?? "") is '\(deployedTags[mismatch?.key ?? ""] ?? "")', not '\(mismatch?.value ?? "")'")
    }

    /// Every tag of `arn`, in the order the service lists them, every page.
    static func listTags(_ arn: String, client: SageMakerClient) throws(SageMakerClient.CallError) -> [(key: String, value: String)] {
        var all: [(key: String, value: String)] = []
        var next: String?
        var seen: Set<String> = []
        repeat {
            var body: [Node.Member] = [member("ResourceArn", .string(arn)), member("MaxResults", .integer(100))]
            if let next { body.append(member("NextToken", .string(next))) }
            let page = try client.call("ListTags", Node(.object(body)))
            for tag in page["Tags"]?.elements ?? [] {
                if let key = tag["Key"]?.string { all.append((key, tag["Value"]?.string ?? "")) }
            }
            next = page["NextToken"]?.string
            // A token seen before would page in a circle (a service that lists a key twice can).
            if let token = next, !seen.insert(token).inserted { break }
        } while next != nil && seen.count < 100
        return all
    }

    /// Equal as JSON (key order and spacing aside).
    static func sameDefinition(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let left = try? DocumentLoader.parse(data: Data(a.utf8), path: "deployed", syntax: .json).root,
            let right = try? DocumentLoader.parse(data: Data(b.utf8), path: "rendered", syntax: .json).root
        else { return false }
        return CanonicalJSON.string(left, sortKeys: true) == CanonicalJSON.string(right, sortKeys: true)
    }

    /// PUT the definition to S3 with the same credentials, signed as S3 requires.
    static func uploadDefinition(_ data: Data, bucket: String, key: String, client: SageMakerClient, endpoint: URL?) throws(SageMakerClient
        .CallError)
    {
        let s3 = S3Client(sageMaker: client, endpoint: endpoint)
        do { try s3.put(data, bucket: bucket, key: key, sha256: SHA256.hash(data: data).hex, contentType: "application/json") } catch {
            throw .tool(error)
        }
    }

    public struct PublishResult: Sendable {
        public var uploaded: [CodeUpload] = []
        public var present: [CodeUpload] = []
    }

    /// Makes sure every code object exists: HeadObject, then PutObject for what is missing (or
    /// holds other bytes than its content address says). A file that changed since it was
    /// hashed is refused: its address would name other bytes.
    public static func publish(_ uploads: [CodeUpload], s3: S3Client, progress: ((Int, Int, CodeUpload) -> Void)? = nil)
        throws(PipeOpsError)
        -> PublishResult
    {
        var result = PublishResult()
        for (index, upload) in uploads.enumerated() {
            progress?(index + 1, uploads.count, upload)
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: upload.path)) } catch {
                throw .message("cannot read \(upload.path): \(error.localizedDescription)")
            }
            guard SHA256.hash(data: data).hex == upload.sha256 else {
                throw .message("\(upload.path) changed while pipeops was publishing it; nothing more was uploaded; run the command again")
            }
            // An object already at the content address counts only when it holds these bytes
            // (a wrong or truncated object there is replaced).
            if let existing = try s3.head(bucket: upload.bucket, key: upload.key), existing.holds(data) {
                result.present.append(upload)
                continue
            }
            try s3.put(data, bucket: upload.bucket, key: upload.key, sha256: upload.sha256)
            guard let stored = try s3.head(bucket: upload.bucket, key: upload.key), stored.holds(data) else {
                throw .message(
                    "s3://\(upload.bucket)/\(upload.key) does not hold \(upload.path) after PutObject (size or ETag differ); nothing that names it was changed; run the command again"
                )
            }
            result.uploaded.append(upload)
        }
        return result
    }

    /// Starts an execution with string parameter values; returns its ARN.
    /// Nothing is uploaded or started from a product with lint errors: the same check as the
    /// promote gate (definition, pipeops.yaml and every environment file). Throws the findings.
    public static func requireLintClean(_ context: ProductContext) throws(PipeOpsError) {
        let report = try LintSession.run(LintRequest(workingDirectory: context.product.directory))
        let errors = report.findings.filter { $0.severity == .error }
        if !errors.isEmpty { throw .findings(errors) }
    }

    /// A selective execution: the steps to run and the execution the others' results come from.
    public struct Selective: Sendable {
        public var steps: [String]
        public var sourceExecutionArn: String?

        public init(steps: [String], sourceExecutionArn: String?) {
            self.steps = steps
            self.sourceExecutionArn = sourceExecutionArn
        }
    }

    /// The service's rules for SelectiveExecutionConfig, checked before anything is sent: known
    /// steps, at most 50, and every step on a path between two selected steps selected too.
    /// Returns whether the selection needs a source execution (a selected step waits for an
    /// unselected one).
    public static func checkSelection(_ names: [String], in pipeline: Pipeline) throws(PipeOpsError) -> Bool {
        guard !names.isEmpty else { throw .invalidArgument("--select needs at least one step") }
        guard names.count <= 50 else { throw .invalidArgument("--select names \(names.count) steps; SageMaker takes at most 50") }
        var selected: Set<Int> = []
        for name in names {
            guard let step = pipeline.step(named: name) else {
                throw .invalidArgument("--select: no step named '\(name)'\(Suggestion.didYouMean(name, in: pipeline.steps.map(\.name)))")
            }
            selected.insert(step.index)
        }
        let graph = DependencyGraph(pipeline: pipeline)
        let gaps = graph.closureGaps(selected)
        if !gaps.isEmpty {
            throw .invalidArgument(
                "--select leaves out \(gaps.sorted().map { pipeline.steps[$0].name }.joined(separator: ", ")), which \(gaps.count == 1 ? "lies" : "lie") on a path between selected steps; SageMaker requires every step between two selected steps to be selected: add \(gaps.count == 1 ? "it" : "them")"
            )
        }
        return !selected.reduce(into: Set<Int>()) { $0.formUnion(graph.ancestors(of: $1)) }.subtracting(selected).isEmpty
    }

    /// The newest execution of `pipelineName` that ended Succeeded or Failed (a selective
    /// execution's source must have), or the status of `arn` checked.
    public static func sourceExecution(_ arn: String?, pipelineName: String, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> String
    {
        if let arn {
            let status = try describe(arn, client: client, withSteps: false).status
            guard status == "Succeeded" || status == "Failed" else {
                throw .tool(
                    .invalidArgument("--source-execution \(arn) is \(status); a selective execution needs one that Succeeded or Failed"))
            }
            return arn
        }
        let page = try client.call(
            "ListPipelineExecutions",
            Node(object: [
                ("PipelineName", Node(.string(pipelineName))), ("SortOrder", Node(.string("Descending"))),
                ("MaxResults", Node(.integer(50))),
            ]))
        let candidates = (page["PipelineExecutionSummaries"]?.elements ?? []).filter {
            ["Succeeded", "Failed"].contains($0["PipelineExecutionStatus"]?.string ?? "")
        }
        guard let newest = candidates.first?["PipelineExecutionArn"]?.string else {
            throw .tool(
                .message(
                    "\(pipelineName) has no execution that Succeeded or Failed to take the unselected steps' results from; start a full execution first"
                ))
        }
        return newest
    }

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

    public struct ExecutionState: Sendable {
        public var status: String
        public var failureReason: String?
        public var steps: [(name: String, status: String, failureReason: String?)]
        public var stepsUnavailable: String?
        public var isTerminal: Bool { ["Succeeded", "Failed", "Stopped"].contains(status) }
    }

    /// The execution's status and, when `withSteps`, its steps. A service that cannot list steps
    /// (moto, for one) yields `stepsUnavailable` instead of failing the whole wait.
    public static func describe(_ arn: String, client: SageMakerClient, withSteps: Bool = true) throws(SageMakerClient.CallError)
        -> ExecutionState
    {
        let execution = try client.call("DescribePipelineExecution", Node(.object([member("PipelineExecutionArn", .string(arn))])))
        var steps: [(String, String, String?)] = []
        var token: String?
        var stepsUnavailable: String?
        if withSteps {
            repeat {
                var body: [Node.Member] = [
                    member("PipelineExecutionArn", .string(arn)), member("MaxResults", .integer(100)),
                    member("SortOrder", .string("Ascending")),
                ]
                if let token { body.append(member("NextToken", .string(token))) }
                let page: Node
                do { page = try client.call("ListPipelineExecutionSteps", Node(.object(body))) } catch {
                    stepsUnavailable = error.description
                    break
                }
                for step in page["PipelineExecutionSteps"]?.elements ?? [] {
                    steps.append((step["StepName"]?.string ?? "?", step["StepStatus"]?.string ?? "?", step["FailureReason"]?.string))
                }
                token = page["NextToken"]?.string
            } while token != nil
        }
        return ExecutionState(
            status: execution["PipelineExecutionStatus"]?.string ?? "Unknown", failureReason: execution["FailureReason"]?.string,
            steps: steps, stepsUnavailable: stepsUnavailable)
    }

    public static func stop(_ arn: String, client: SageMakerClient) throws(SageMakerClient.CallError) {
        _ = try client.call(
            "StopPipelineExecution",
            Node(.object([member("PipelineExecutionArn", .string(arn)), member("ClientRequestToken", .string(UUID().uuidString))])))
    }
}
