import Crypto
import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

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
            let status = try client.describeExecution(arn, withSteps: false).status
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

    public static func stop(_ arn: String, client: SageMakerClient) throws(SageMakerClient.CallError) {
        _ = try client.call(
            "StopPipelineExecution",
            Node(.object([member("PipelineExecutionArn", .string(arn)), member("ClientRequestToken", .string(UUID().uuidString))])))
    }
}
