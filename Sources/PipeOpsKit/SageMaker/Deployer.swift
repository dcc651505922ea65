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
            let answer = try client.call("UpdatePipeline", updateRequest(create))
            let arn = answer["PipelineArn"]?.string ?? ""
            // Keep existing tags whose keys are not being replaced, then add the merged set.
            let existing = try client.call(
                "ListTags", Node(.object([member("ResourceArn", .string(arn)), member("MaxResults", .integer(100))])))
            var merged: [(key: String, value: String)] = []
            let newKeys = Set(rendered.tags.map(\.key))
            for tag in existing["Tags"]?.elements ?? [] {
                if let key = tag["Key"]?.string, !newKeys.contains(key) { merged.append((key, tag["Value"]?.string ?? "")) }
            }
            merged += rendered.tags
            _ = try client.call("AddTags", Node(.object([member("ResourceArn", .string(arn)), member("Tags", tagList(merged))])))
            return UpsertResult(
                created: false, pipelineArn: arn, versionId: answer["PipelineVersionId"]?.int, tags: merged, definitionLocation: where_)
        }
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
            if let existing = try s3.head(bucket: upload.bucket, key: upload.key),
                existing.sha256 == nil || existing.sha256 == upload.sha256
            {
                result.present.append(upload)
                continue
            }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: upload.path)) } catch {
                throw .message("cannot read \(upload.path): \(error.localizedDescription)")
            }
            guard SHA256.hash(data: data).hex == upload.sha256 else {
                throw .message("\(upload.path) changed while pipeops was publishing it; nothing more was uploaded; run the command again")
            }
            try s3.put(data, bucket: upload.bucket, key: upload.key, sha256: upload.sha256)
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

    public static func start(
        pipelineName: String, parameters: [String: Node], parallelism: Int?, displayName: String?, client: SageMakerClient,
        selective: Selective? = nil
    ) throws(SageMakerClient.CallError) -> String {
        var members: [Node.Member] = [
            member("PipelineName", .string(pipelineName)),
            member("ClientRequestToken", .string(UUID().uuidString)),
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
        let answer = try client.call("StartPipelineExecution", Node(.object(members)))
        guard let arn = answer["PipelineExecutionArn"]?.string else {
            throw .tool(.message("StartPipelineExecution returned no PipelineExecutionArn"))
        }
        return arn
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
