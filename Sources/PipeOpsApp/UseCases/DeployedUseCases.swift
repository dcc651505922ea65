import Crypto
import Foundation
import PipeOpsAWS
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops plan --env ENV`: what `upsert --env ENV` would change, read from the account.
public enum PlanUseCase {
    public struct Options: Sendable {
        public var environment: String
        public var images: [String] = []
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(environment: String) { self.environment = environment }
    }

    public struct Result: Sendable {
        public var environment: String
        public var pipelineName: String
        /// Nil: no pipeline of that name yet (upsert would create it).
        public var deployed: DeployedPipeline?
        public var difference: DeploymentDifference
        /// Code objects upsert would publish (not at their content address yet), of `codeObjects`.
        public var toPublish: [String]
        public var codeObjects: Int
        public var images: [String]
        /// What would be deployed: the commit and hashes of the rendering.
        public var commit: String?
        public var structureSha256: String
        public var codeSha256: String
        public var hasChanges: Bool { deployed == nil || !difference.isEmpty || !toPublish.isEmpty }
    }

    public static func run(_ options: Options) throws(PipeOpsError) -> Result {
        let context = try options.workspace.context()
        let environment = try context.environment(named: options.environment)
        let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        let rendered = try Renderer.render(context, environment: environment, version: version, images: try ImagePins.parse(options.images))
        let session = try options.aws.connect(environmentRegion: environment.region)
        let deployed: DeployedPipeline?
        do { deployed = try DeployedPipeline.read(environment.pipelineName, client: session.client) } catch { throw error.asToolError }
        let uploads = rendered.artifacts.uploads + (try PythonDefinition.capturedUploads(try context.compiled(for: environment).manifest))
        let s3 = S3Client(sageMaker: session.client, endpoint: session.s3Endpoint)
        var missing: [String] = []
        for upload in uploads {
            guard let data = FileManager.default.contents(atPath: upload.path) else { continue }
            if let existing = try s3.head(bucket: upload.bucket, key: upload.key), existing.holds(data) { continue }
            missing.append(upload.uri)
        }
        return Result(
            environment: environment.name, pipelineName: environment.pipelineName, deployed: deployed,
            difference: deployed.map { DeploymentDifference.compare($0, rendered) } ?? DeploymentDifference(), toPublish: missing,
            codeObjects: uploads.count, images: rendered.artifacts.imageReferences, commit: version?.commit,
            structureSha256: rendered.hashes.structure, codeSha256: rendered.artifacts.sha256)
    }
}

/// `pipeops status [--env ENV]`: per environment, what is deployed, what the ledger says was
/// promoted there, what HEAD would deploy, the latest executions, and drift.
public enum StatusUseCase {
    public struct Options: Sendable {
        public var environment: String?
        public var executions = 3
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(environment: String? = nil) { self.environment = environment }
    }

    public struct Execution: Sendable {
        public var arn: String
        public var status: String
        public var started: String?
    }

    public struct Environment: Sendable {
        public var name: String
        public var pipelineName: String
        public var deployed: DeployedPipeline?
        /// The latest promotion recorded for the environment, and the latest run there.
        public var promoted: PromotionRecord?
        public var latestRun: PromotionRecord?
        /// HEAD's rendering for the environment.
        public var headCommit: String?
        public var headStructure: String
        public var headCode: String
        public var executions: [Execution] = []
        /// Edited outside git: what differs between the deployed pipeline and the rendering of the
        /// commit its own stamp names (field paths). Empty: no drift.
        public var drift: [String] = []
        /// Why drift could not be checked (never upserted by pipeops, the commit is not here).
        public var driftUnchecked: String?
        /// The deployed commit is not the release the ledger records for the environment.
        public var unrecorded: String?
        /// Another environment's upsert made the pipeline (one account, one pipeline name).
        public var deployedBy: String?
        public var headIsDeployed: Bool {
            deployed?.stampedCommit == headCommit && drift.isEmpty && deployed != nil && deployedBy == nil
        }
    }

    public struct Result: Sendable {
        public var environments: [Environment]
        public var drifted: Bool { environments.contains { !$0.drift.isEmpty } }
    }

    public static func run(_ options: Options) throws(PipeOpsError) -> Result {
        let context = try options.workspace.context()
        let names = options.environment.map { [$0] } ?? context.environmentNames
        let repository = try GitRepository.discover(from: context.product.directory)
        let records = try Ledger.records(in: repository).compactMap { $0.about(pipeline: context.manifest.selectedPipeline) }
        let head = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        var environments: [Environment] = []
        // One connection per region: the credential chain is resolved once, not per environment.
        var sessions: [String: AWSSession] = [:]
        for name in names {
            let environment = try context.environment(named: name)
            let rendered = try Renderer.render(context, environment: environment, version: head)
            let session: AWSSession
            if let known = sessions[environment.region ?? ""] {
                session = known
            } else {
                session = try options.aws.connect(environmentRegion: environment.region)
                sessions[environment.region ?? ""] = session
            }
            var entry = Environment(
                name: name, pipelineName: environment.pipelineName,
                promoted: records.last { $0.environment == name && $0.kind == .promotion },
                latestRun: records.last { $0.environment == name && $0.kind != .promotion }, headCommit: head?.commit,
                headStructure: rendered.hashes.structure, headCode: rendered.artifacts.sha256)
            do {
                entry.deployed = try DeployedPipeline.read(environment.pipelineName, client: session.client)
                if entry.deployed != nil {
                    entry.executions = try latestExecutions(environment.pipelineName, count: options.executions, client: session.client)
                }
            } catch {
                throw error.asToolError
            }
            if let deployed = entry.deployed {
                try checkDrift(&entry, deployed: deployed, context: context, environment: name)
            }
            environments.append(entry)
        }
        return Result(environments: environments)
    }

    /// Drift: the deployed pipeline against the rendering of the commit its stamp names; and,
    /// said apart, whether that commit is the release the ledger records there.
    static func checkDrift(_ entry: inout Environment, deployed: DeployedPipeline, context: ProductContext, environment name: String)
        throws(PipeOpsError)
    {
        guard let commit = deployed.stampedCommit else {
            entry.driftUnchecked = "the pipeline has no pipeops:git-commit tag (not upserted by pipeops)"
            return
        }
        let repository = try GitRepository.discover(from: context.product.directory)
        let version: VersionInfo
        let stamped: ProductContext
        do {
            version = try VersionInfo.release(commit, in: repository, tagPrefix: context.manifest.tagPrefix)
            stamped = deployed.tags["pipeops:git-dirty"] == "true" ? context : try context.atCommit(version.commit)
        } catch {
            entry.driftUnchecked = "its commit \(commit.prefix(12)) is not in this repository (fetch it to check drift)"
            return
        }
        // The environment that rendered it, by its stamp: environments in one account that share
        // a pipeline name share the pipeline, and it is that environment's rendering.
        let owner = deployed.tags["pipeops:environment"].flatMap { stamped.environmentNames.contains($0) ? $0 : nil } ?? name
        if owner != name {
            entry.deployedBy = owner
        }
        var atCommit = try stamped.environment(named: owner)
        atCommit.pipelineName = entry.pipelineName
        let rendering = try Renderer.render(stamped, environment: atCommit, version: version)
        var difference = DeploymentDifference.compare(deployed, rendering)
        // The description and stamp name the commit as rendered now; compare what the commit rendered.
        // (and name its version as `git describe` saw it then): what the commit rendered is compared.
        difference.settings.removeAll { $0.path == "PipelineDescription" }
        difference.tags.removeAll { $0.path == "pipeops:version" }
        difference.tags.removeAll { $0.path == "pipeops:git-dirty" && deployed.tags[$0.path] == "true" }
        entry.drift = difference.fieldPaths
        if deployed.tags["pipeops:git-dirty"] == "true" {
            entry.unrecorded =
                "upserted from uncommitted changes on \(commit.prefix(12)); its rendering is checked against the working tree"
        } else if let promoted = entry.promoted, promoted.commit != commit {
            entry.unrecorded =
                "deployed commit \(commit.prefix(12)) is not \(promoted.version) (\(promoted.commit.prefix(12))), the release the ledger records for \(name)"
        } else if entry.promoted == nil, entry.latestRun?.commit != commit {
            entry.unrecorded =
                "no promotion of \(name) is recorded; deployed commit \(commit.prefix(12)) is checked against its stamp tags only"
        }
    }

    static func latestExecutions(_ name: String, count: Int, client: SageMakerClient) throws(SageMakerClient.CallError) -> [Execution] {
        let page = try client.call(
            "ListPipelineExecutions",
            Node(object: [
                ("PipelineName", Node(.string(name))), ("SortOrder", Node(.string("Descending"))),
                ("SortBy", Node(.string("CreationTime"))),
                ("MaxResults", Node(.integer(max(1, count)))),
            ]))
        return (page["PipelineExecutionSummaries"]?.elements ?? []).prefix(count).map { summary in
            Execution(
                arn: summary["PipelineExecutionArn"]?.string ?? "", status: summary["PipelineExecutionStatus"]?.string ?? "?",
                started: summary["StartTime"].map { $0.string ?? Timestamp.string(Date(timeIntervalSince1970: $0.double ?? 0)) })
        }
    }
}
