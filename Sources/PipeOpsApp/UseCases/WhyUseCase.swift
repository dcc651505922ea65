import Foundation
import PipeOpsAWS
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops why`: why an execution failed — the failing steps and their reasons, the job behind
/// each and the last lines of its log, the step's line in the product, the release that ran it,
/// and the cache and retry facts. A SageMaker execution ARN, an environment's latest failed
/// execution, or a local execution id.
public enum WhyUseCase {
    public struct Options: Sendable {
        /// An execution ARN, or a local execution id.
        public var execution: String?
        public var environment: String?
        public var logLines = 20
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(execution: String?, environment: String?) {
            self.execution = execution
            self.environment = environment
        }
    }

    public struct Job: Sendable {
        /// TrainingJob, ProcessingJob, TransformJob, Lambda, Callback.
        public var kind: String
        public var name: String
        public var status: String?
        public var failureReason: String?
        /// Lambda/Callback outputs, or the job's own description failing.
        public var notes: [String] = []
    }

    public struct FailedStep: Sendable {
        public var name: String
        public var type: String?
        public var status: String
        public var failureReason: String?
        public var attempts: Int?
        /// The execution a cached result came from, if the step was a cache hit.
        public var cacheSource: String?
        public var job: Job?
        /// Where the log lines come from (a CloudWatch stream, a local stderr.log).
        public var logSource: String?
        public var logLines: [String] = []
        public var logProblem: String?
        /// `file:line` of the step in the product's definition.
        public var definedAt: String?
    }

    public struct Result: Sendable {
        public var execution: String
        public var local: Bool
        public var status: String
        public var failureReason: String?
        /// What ran it: a version and commit (the ledger's record of the execution, or the deployed stamp).
        public var release: String?
        public var steps: [FailedStep]
        public var stepsUnavailable: String?
    }

    public static func run(_ options: Options) throws(PipeOpsError) -> Result {
        let context = try? options.workspace.context()
        if let id = options.execution, !id.hasPrefix("arn:") {
            return try local(id, context: context, options: options)
        }
        guard let context else { throw .message("pipeops why needs the product (pipeops.yaml) to find the environment's pipeline") }
        var region: String?
        if let name = options.environment { region = try context.environment(named: name).region }
        let session = try options.aws.connect(environmentRegion: region)
        let arn: String
        if let given = options.execution {
            arn = given
        } else {
            let environment = try context.environment(named: options.environment ?? "")
            do { arn = try latestFailed(environment, client: session.client) } catch { throw error.asToolError }
        }
        do { return try sagemaker(arn, context: context, session: session, options: options) } catch { throw error.asToolError }
    }

    static func latestFailed(_ environment: ResolvedEnvironment, client: SageMakerClient) throws(SageMakerClient.CallError) -> String {
        var token: String?
        var pages = 0
        repeat {
            var body: [Node.Member] = [
                member("PipelineName", .string(environment.pipelineName)), member("SortOrder", .string("Descending")),
                member("SortBy", .string("CreationTime")), member("MaxResults", .integer(100)),
            ]
            if let token { body.append(member("NextToken", .string(token))) }
            let page = try client.call("ListPipelineExecutions", Node(.object(body)))
            if let failed = (page["PipelineExecutionSummaries"]?.elements ?? []).first(where: {
                $0["PipelineExecutionStatus"]?.string == "Failed"
            }
            )?["PipelineExecutionArn"]?.string {
                return failed
            }
            token = page["NextToken"]?.string
            pages += 1
        } while token != nil && pages < 10
        throw .tool(
            .message("\(environment.pipelineName) (\(environment.name)) has no failed execution; name one: pipeops why EXECUTION-ARN"))
    }

    /// Where the step is defined: its line in definition.py for a Python definition (where the
    /// source names it), else in the definition file.
    static func definedAt(_ name: String, context: ProductContext?) -> String? {
        guard let context, let step = context.pipeline.step(named: name) else { return nil }
        if let entry = context.manifest.definition, PythonDefinition.isPython(entry) {
            let source = context.manifest.resolve(PythonDefinition.sourceFile(entry, in: context.manifest.directory))
            if let text = try? String(contentsOfFile: source, encoding: .utf8),
                let line = PythonDefinition.sourceLine(of: name, in: text.split(separator: "\n", omittingEmptySubsequences: false))
            {
                return "\(DisplayPath(base: context.product.directory)(source)):\(line)"
            }
        }
        return "\(context.definitionPath):\(step.node.location.line)"
    }

    static func sagemaker(_ arn: String, context: ProductContext, session: AWSSession, options: Options) throws(SageMakerClient.CallError)
        -> Result
    {
        let client = session.client
        let execution = try client.call("DescribePipelineExecution", Node(object: [("PipelineExecutionArn", Node(.string(arn)))]))
        var steps: [Node] = []
        var token: String?
        var unavailable: String?
        repeat {
            var body: [Node.Member] = [member("PipelineExecutionArn", .string(arn)), member("MaxResults", .integer(100))]
            if let token { body.append(member("NextToken", .string(token))) }
            do {
                let page = try client.call("ListPipelineExecutionSteps", Node(.object(body)))
                steps += page["PipelineExecutionSteps"]?.elements ?? []
                token = page["NextToken"]?.string
            } catch {
                unavailable = error.description
                token = nil
            }
        } while token != nil && steps.count < 10_000
        let logs = client.logs(endpoint: options.aws.endpoint(service: "CloudWatch Logs") ?? options.aws.endpoint(service: "logs"))
        var failed: [FailedStep] = []
        for step in steps where ["Failed", "Stopped"].contains(step["StepStatus"]?.string ?? "") {
            let name = step["StepName"]?.string ?? "?"
            var entry = FailedStep(
                name: name, type: context.pipeline.step(named: name)?.type?.rawValue, status: step["StepStatus"]?.string ?? "?",
                failureReason: step["FailureReason"]?.string, attempts: step["AttemptCount"]?.int,
                cacheSource: step["CacheHitResult"]?["SourcePipelineExecutionArn"]?.string, definedAt: definedAt(name, context: context))
            describeJob(&entry, metadata: step["Metadata"], client: client, logs: logs, lines: options.logLines)
            failed.append(entry)
        }
        let repository = try? GitRepository.discover(from: context.product.directory)
        let record = repository.flatMap { try? Ledger.records(in: $0) }?.last { $0.execution == arn }
        var release = record.map { "\($0.version) (commit \($0.commit.prefix(12)), recorded by start --wait)" }
        if release == nil, let name = execution["PipelineArn"]?.string?.split(separator: "/").last.map(String.init),
            let deployed = try? DeployedPipeline.read(name, client: client), let commit = deployed.stampedCommit
        {
            release =
                "\(deployed.tags["pipeops:version"] ?? "?") (commit \(commit.prefix(12)), the pipeline's stamp now: it may have been upserted since)"
        }
        return Result(
            execution: arn, local: false, status: execution["PipelineExecutionStatus"]?.string ?? "?",
            failureReason: execution["FailureReason"]?.string, release: release, steps: failed, stepsUnavailable: unavailable)
    }

    /// The job behind a step (Describe*Job) and the last lines of its CloudWatch log streams.
    static func describeJob(_ entry: inout FailedStep, metadata: Node?, client: SageMakerClient, logs: SageMakerClient, lines: Int) {
        let kinds: [(key: String, describe: String, nameKey: String, group: String)] = [
            ("TrainingJob", "DescribeTrainingJob", "TrainingJobName", "/aws/sagemaker/TrainingJobs"),
            ("ProcessingJob", "DescribeProcessingJob", "ProcessingJobName", "/aws/sagemaker/ProcessingJobs"),
            ("TransformJob", "DescribeTransformJob", "TransformJobName", "/aws/sagemaker/TransformJobs"),
        ]
        for kind in kinds {
            guard let jobArn = metadata?[kind.key]?["Arn"]?.string, let name = jobArn.split(separator: "/").last.map(String.init) else {
                continue
            }
            var job = Job(kind: kind.key, name: name)
            do {
                let described = try client.call(kind.describe, Node(object: [(kind.nameKey, Node(.string(name)))]))
                job.status = described[kind.key + "Status"]?.string
                job.failureReason = described["FailureReason"]?.string
            } catch {
                job.notes.append("\(kind.describe): \(error.description)")
            }
            entry.job = job
            do {
                let streams = try logs.call(
                    "DescribeLogStreams",
                    Node(object: [("logGroupName", Node(.string(kind.group))), ("logStreamNamePrefix", Node(.string(name + "/")))]))
                for stream in (streams["logStreams"]?.elements ?? []).prefix(4) {
                    guard let streamName = stream["logStreamName"]?.string else { continue }
                    let events = try logs.call(
                        "GetLogEvents",
                        Node(object: [
                            ("logGroupName", Node(.string(kind.group))), ("logStreamName", Node(.string(streamName))),
                            ("limit", Node(.integer(lines))), ("startFromHead", Node(.bool(false))),
                        ]))
                    entry.logLines += (events["events"]?.elements ?? []).compactMap { $0["message"]?.string }.suffix(lines)
                    entry.logSource = (entry.logSource.map { $0 + ", " } ?? "") + kind.group + "/" + streamName
                }
                if entry.logSource == nil { entry.logProblem = "no log stream \(kind.group)/\(name)/… (the job wrote no log)" }
            } catch {
                entry.logProblem = "CloudWatch Logs: \(error.description)"
            }
            return
        }
        for kind in ["Lambda", "Callback", "EMR", "Fail"] {
            guard let node = metadata?[kind] else { continue }
            var job = Job(kind: kind, name: node["Arn"]?.string ?? node["CallbackToken"]?.string ?? kind)
            for output in node["OutputParameters"]?.elements ?? [] {
                job.notes.append("\(output["Name"]?.string ?? "?") = \(output["Value"]?.string ?? "")")
            }
            if let message = node["ErrorMessage"]?.string { job.failureReason = message }
            entry.job = job
            return
        }
    }

    static func local(_ id: String, context: ProductContext?, options: Options) throws(PipeOpsError) -> Result {
        let record = try LocalExecutions.load(id, from: options.workspace.directory)
        let folder = try LocalExecutions.store(from: options.workspace.directory).folder(for: record.id)
        var failed: [FailedStep] = []
        func visit(_ steps: [StepRecord]) {
            for step in steps {
                if step.status == .failed {
                    var entry = FailedStep(
                        name: step.name, type: step.type, status: step.status.rawValue, failureReason: step.failureReason,
                        attempts: step.attempts, cacheSource: step.cacheHit?.sourceExecution ?? step.reusedFrom,
                        definedAt: definedAt(step.name, context: context))
                    let log = folder + "/steps/" + step.name + "/stderr.log"
                    if let text = try? String(contentsOfFile: log, encoding: .utf8) {
                        entry.logLines = Array(
                            text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }.suffix(
                                options.logLines))
                        entry.logSource = DisplayPath(base: options.workspace.directory)(log)
                    }
                    failed.append(entry)
                }
                visit(step.children ?? [])
            }
        }
        visit(record.steps)
        return Result(
            execution: record.id, local: true, status: record.effectiveStatus.rawValue, failureReason: record.failureReason,
            release: nil, steps: failed, stepsUnavailable: nil)
    }
}
