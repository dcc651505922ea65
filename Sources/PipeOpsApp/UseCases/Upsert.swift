import Foundation
import PipeOpsAWS
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops upsert`: the environment's rendering, its code published, then Create/UpdatePipeline
/// and the tags; or, dry, the request and the objects it would publish.
public enum UpsertUseCase {
    public struct Options: Sendable {
        public var environment: String
        public var images: [String] = []
        public var dryRun = false
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(
            environment: String, images: [String] = [], dryRun: Bool = false, aws: AWSSettings = AWSSettings(),
            workspace: Workspace = Workspace()
        ) {
            self.environment = environment
            self.images = images
            self.dryRun = dryRun
            self.aws = aws
            self.workspace = workspace
        }
    }

    public struct Result: Sendable {
        /// The CreatePipeline request, for a dry run.
        public var dryRunRequest: String?
        /// Code objects named by the rendering (what is published, or would be).
        public var uploads: [String]
        public var published: PublishSummary?
        public var upsert: Deployer.UpsertResult?
        public var structureSha256: String
        public var codeSha256: String
    }

    /// How the code objects fared: uploaded now, or already at their content address.
    public struct PublishSummary: Sendable {
        public var total: Int
        public var uploaded: Int
        public var present: Int

        mutating func add(_ other: PublishSummary) {
            total += other.total
            uploaded += other.uploaded
            present += other.present
        }
    }

    public static func run(_ options: Options, progress: ((Int, Int, String) -> Void)? = nil) throws(PipeOpsError) -> Result {
        let context = try options.workspace.context()
        let environment = try context.environment(named: options.environment)
        try Deployer.requireLintClean(context)
        let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        let rendered = try Renderer.render(context, environment: environment, version: version, images: try ImagePins.parse(options.images))
        let unpinned = Promoter.imageFindings(rendered, definitionPath: context.definitionPath)
        if !unpinned.isEmpty { throw PipeOpsError.findings(unpinned) }
        let uploads =
            rendered.artifacts.uploads + (try PythonDefinition.capturedUploads(try context.compiled(for: rendered.environment).manifest))
        var result = Result(
            uploads: uploads.map(\.uri), structureSha256: rendered.hashes.structure, codeSha256: rendered.artifacts.sha256)
        if options.dryRun {
            let request = Deployer.createRequest(rendered, token: "<generated per call>", s3Location: nil)
            result.dryRunRequest = CanonicalJSON.string(request, sortKeys: true, pretty: true)
            return result
        }
        let session = try options.aws.connect(environmentRegion: environment.region)
        result.published = try publish(uploads, session: session, progress: progress)
        do {
            result.upsert = try Deployer.upsert(
                rendered, client: session.client, definitionBucket: environment.definitionBucket, s3Endpoint: session.s3Endpoint)
        } catch {
            throw error.asToolError
        }
        return result
    }

    /// Publishes code objects before a pipeline names them (upsert, promote --upsert).
    static func publish(_ uploads: [CodeUpload], session: AWSSession, progress: ((Int, Int, String) -> Void)?) throws(PipeOpsError)
        -> PublishSummary?
    {
        guard !uploads.isEmpty else { return nil }
        let s3 = S3Client(sageMaker: session.client, endpoint: session.s3Endpoint)
        let published = try Deployer.publish(uploads, s3: s3) { index, total, upload in progress?(index, total, upload.key) }
        return PublishSummary(total: uploads.count, uploaded: published.uploaded.count, present: published.present.count)
    }
}
