import Foundation
import PipeOpsAWS
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops render`: the CreatePipeline request of an environment, stamped with the commit.
public enum RenderUseCase {
    public struct Result: Sendable {
        public var json: String
        public var structureSha256: String
        /// No git stamp: not in a repository, or no commits yet.
        public var unstamped: Bool
    }

    public static func run(environment: String, images: [String], workspace: Workspace = Workspace())
        throws(PipeOpsError) -> Result
    {
        let context = try workspace.context()
        let resolved = try context.environment(named: environment)
        let version = try? VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        let rendered = try Renderer.render(context, environment: resolved, version: version, images: try ImagePins.parse(images))
        return Result(json: rendered.json, structureSha256: rendered.hashes.structure, unstamped: version == nil)
    }
}

/// `pipeops diff`: two environments, two revisions, or what an environment last ran against what
/// another would get now. Every comparison has a text and a JSON form.
public enum DiffUseCase {
    public struct Result: Sendable {
        public var text: String
        public var json: Node
        public var identical: Bool
    }

    /// `a` and `b` are environments or revisions, as the product says; `revisions` forces revisions.
    public static func run(
        _ a: String, _ b: String, bothNamed: Bool, recorded: Bool, revisions: Bool,
        workspace: Workspace = Workspace()
    ) throws(PipeOpsError) -> Result {
        let context = try workspace.context()
        let environments = Set(context.environmentNames)
        let repository = try? GitRepository.discover(from: context.product.directory)
        if !revisions && bothNamed && environments.contains(a) && environments.contains(b) {
            for name in [a, b] where (try? repository?.commit(of: name)) != nil {
                throw PipeOpsError.invalidArgument(
                    "'\(name)' is both an environment and a git revision; pass --revisions to compare revisions, or rename the tag or branch"
                )
            }
            if recorded { return try self.recorded(context, left: a, right: b) }
            let first = try Renderer.render(context, environment: try context.environment(named: a), version: nil)
            let second = try Renderer.render(context, environment: try context.environment(named: b), version: nil)
            let diff = EnvironmentDiff(context, left: first, right: second)
            return Result(text: diff.text, json: diff.json, identical: diff.identical)
        }
        if !revisions && (environments.contains(a) != environments.contains(b)) {
            let other = environments.contains(a) ? b : a
            if (try? repository?.commit(of: other)) == nil {
                throw PipeOpsError.invalidArgument(
                    "unknown environment '\(other)'\(Suggestion.didYouMean(other, in: context.environmentNames)) (pipeops.yaml defines: \(context.environmentNames.joined(separator: ", "))), and no revision of that name"
                )
            }
            throw PipeOpsError.invalidArgument(
                "'\(environments.contains(a) ? a : b)' is an environment but '\(environments.contains(a) ? b : a)' is not; compare two environments (\(context.environmentNames.joined(separator: ", "))) or two revisions"
            )
        }
        let diff = try RevisionDiff.compare(a, b, manifest: context.manifest)
        return Result(text: diff.text, json: diff.json, identical: diff.identical)
    }

    /// `--recorded`: the left environment's latest record against the right one's rendering now.
    static func recorded(_ context: ProductContext, left: String, right: String) throws(PipeOpsError) -> Result {
        let repository = try GitRepository.discover(from: context.product.directory)
        // In a product with several pipelines, the record's part about this pipeline.
        let pipeline = context.manifest.selectedPipeline
        guard
            let record = try Ledger.records(in: repository).compactMap({ $0.about(pipeline: pipeline) }).last(where: {
                $0.environment == left
            })
        else {
            throw PipeOpsError.message("\(left) has no recorded promotion or run; nothing to compare")
        }
        let rendered = try Renderer.render(context, environment: try context.environment(named: right), version: nil)
        let comparison = Promoter.compare(record, with: rendered)
        let json = Node(object: [
            (
                "left",
                Node(object: [
                    ("environment", Node(.string(left))), ("kind", Node(.string(record.kind.rawValue))),
                    ("version", Node(.string(record.version))), ("commit", Node(.string(record.commit))),
                    ("structureSha256", Node(.string(record.structureSha256))),
                    ("codeSha256", record.codeSha256.map { Node(.string($0)) } ?? Node(.null)),
                ])
            ),
            (
                "right",
                Node(object: [
                    ("environment", Node(.string(right))), ("structureSha256", Node(.string(rendered.hashes.structure))),
                    ("codeSha256", Node(.string(rendered.artifacts.sha256))),
                ])
            ),
            ("structureIdentical", Node(.bool(comparison.sameStructure))),
            ("identical", Node(.bool(comparison.identical))),
            ("differences", Node(.array(comparison.differences.map { Node(.string($0)) }))),
        ])
        var lines = [
            "\(left) \(record.kind.rawValue) of \(record.version) (commit \(record.commit.prefix(7)), \(record.recordedAt))"
                + " against \(right) now",
            "structure  \(record.structureSha256.prefix(12)) → \(rendered.hashes.structure.prefix(12))\(comparison.sameStructure ? " (identical)" : " (differs)")",
            "code       \((record.codeSha256 ?? "unrecorded").prefix(12)) → \(rendered.artifacts.sha256.prefix(12))",
        ]
        lines += comparison.differences.map { "  \($0)" }
        lines.append(
            comparison.identical ? "\(right) would run exactly what \(left) ran." : "\(right) would run something \(left) has not run.")
        return Result(text: lines.joined(separator: "\n") + "\n", json: json, identical: comparison.identical)
    }
}

/// `pipeops promote`: the gates, then (with upsert) the pipeline, then the record.
public enum PromoteUseCase {
    /// Where records are kept: git notes under this ref (push it to share them).
    public static let notesRef = Ledger.notesRef

    public struct Options: Sendable {
        public var to: String
        public var from: String?
        public var dryRun = false
        public var rev: String?
        public var upsert = false
        public var aws = AWSSettings()
        public var workspace = Workspace()

        public init(to: String) { self.to = to }
    }

    public struct Result: Sendable {
        public var gates: [Promoter.Gate]
        public var passed: Bool
        public var published: UpsertUseCase.PublishSummary?
        public var upserted: Deployer.UpsertResult?
        /// A product with several pipelines: each pipeline upserted, in manifest order.
        public var upsertedPipelines: [(key: String, result: Deployer.UpsertResult)] = []
        /// The pipelines the promotion covers (one record for all of them).
        public var pipelines: [String] = []
        /// Nil for a dry run or refused gates.
        public var record: PromotionRecord?
    }

    /// The product at HEAD, or at `rev` (its files from git).
    static func context(rev: String?, workspace: Workspace) throws(PipeOpsError) -> (ProductContext, VersionInfo?) {
        let context = try workspace.context()
        guard let rev else { return (context, nil) }
        let repository = try GitRepository.discover(from: context.product.directory)
        let version = try VersionInfo.release(rev, in: repository, tagPrefix: context.manifest.tagPrefix)
        return (try context.atCommit(version.commit), version)
    }

    /// Per environment, what was last promoted or run there (`promote --status`).
    public static func status(workspace: Workspace = Workspace()) throws(PipeOpsError)
        -> [Promoter.Status]
    {
        try Promoter.status(try workspace.context())
    }

    public static func run(_ options: Options, progress: ((Int, Int, String) -> Void)? = nil) throws(PipeOpsError) -> Result {
        if options.workspace.pipeline == nil, let keys = try severalPipelines(options.workspace) {
            return try runEvery(keys, options, progress: progress)
        }
        let (context, release) = try context(rev: options.rev, workspace: options.workspace)
        // With upsert, the pipeline is published first and the promotion recorded after, so a
        // failed upsert records nothing.
        let outcome = try Promoter.promote(
            context, to: options.to, from: options.from, requireTag: context.manifest.requireReleaseTag,
            dryRun: options.dryRun || options.upsert, release: release)
        var result = Result(gates: outcome.gates, passed: outcome.passed)
        guard outcome.passed, !options.dryRun else { return result }
        if options.upsert, let rendered = outcome.rendered {
            let session = try options.aws.connect(environmentRegion: rendered.environment.region)
            result.published = try UpsertUseCase.publish(
                rendered.artifacts.uploads
                    + (try PythonDefinition.capturedUploads(try context.compiled(for: rendered.environment).manifest)), session: session,
                progress: progress)
            do {
                result.upserted = try Deployer.upsert(
                    rendered, client: session.client, definitionBucket: rendered.environment.definitionBucket,
                    s3Endpoint: session.s3Endpoint)
            } catch {
                throw error.asToolError
            }
        }
        if let record = outcome.record {
            result.record = record
        } else {
            result.record = try Promoter.record(outcome, in: context)
        }
        return result
    }
}

/// `pipeops version` and `pipeops tag`: what the commit is, and a release tag on it (libgit2).
public enum VersionUseCase {
    /// The commit, its release, the definition's hashes and the code and images it ships.
    public static func describe(workspace: Workspace = Workspace()) throws(PipeOpsError) -> (
        info: VersionInfo, tagPrefix: String
    ) {
        let product = try workspace.product()
        let definition = try product.definition()
        var info = try VersionInfo.gather(from: workspace.directory, tagPrefix: product.tagPrefix, definition: definition)
        if let manifest = product.manifest, let definition {
            info.artifacts = try ArtifactRewriter(folders: manifest.codeFolders(), display: definition.path).apply(to: definition.root)
                .artifacts
        }
        return (info, product.tagPrefix)
    }

    /// Creates the annotated release tag (`version`: a semantic version or major|minor|patch).
    public static func tag(
        version: String?, allowDirty: Bool, message: String?, workspace: Workspace = Workspace()
    ) throws(PipeOpsError) -> Release.Result {
        let request = Release.Request(version: version, allowDirty: allowDirty, message: message, directory: workspace.directory)
        // A release of a product with several pipelines is one tag naming each pipeline's hashes.
        if workspace.pipeline == nil, let keys = try PromoteUseCase.severalPipelines(workspace) {
            var pipelines: [(key: String, path: String, root: Node)] = []
            var tagPrefix = "v"
            for key in keys {
                let product = try Workspace(directory: workspace.directory, pipeline: key).product()
                tagPrefix = product.tagPrefix
                if let definition = try product.definition() {
                    pipelines.append((key, DisplayPath(base: workspace.directory)(definition.path), definition.root))
                }
            }
            return try Release.tag(request, tagPrefix: tagPrefix, definition: nil, pipelines: pipelines)
        }
        let product = try workspace.product()
        return try Release.tag(request, tagPrefix: product.tagPrefix, definition: try product.definition())
    }
}

extension PromoteUseCase {
    /// The `pipelines:` keys of a product with several; nil for a product with one.
    static func severalPipelines(_ workspace: Workspace) throws(PipeOpsError) -> [String]? {
        let product = try Product.locate(from: workspace.directory, anyPipeline: true)
        guard let manifest = product.manifest, manifest.hasSeveralPipelines else { return nil }
        return manifest.pipelines.map(\.key)
    }

    /// A release of several pipelines moves together: every pipeline's gates, every pipeline
    /// upserted (with --upsert), then one record with every pipeline's hashes.
    static func runEvery(_ keys: [String], _ options: Options, progress: ((Int, Int, String) -> Void)?) throws(PipeOpsError) -> Result {
        var contexts: [(key: String, context: ProductContext)] = []
        var release: VersionInfo?
        for key in keys {
            var workspace = options.workspace
            workspace.pipeline = key
            let (context, version) = try context(rev: options.rev, workspace: workspace)
            contexts.append((key, context))
            release = version
        }
        let promoted = try Promoter.promote(
            every: contexts, to: options.to, from: options.from, requireTag: contexts[0].context.manifest.requireReleaseTag,
            dryRun: options.dryRun || options.upsert, release: release)
        var result = Result(gates: promoted.gates, passed: promoted.gates.allSatisfy(\.passed))
        result.pipelines = keys
        guard result.passed, !options.dryRun else { return result }
        if options.upsert {
            for part in promoted.outcomes {
                guard let rendered = part.outcome.rendered else { continue }
                let session = try options.aws.connect(environmentRegion: rendered.environment.region)
                let published = try UpsertUseCase.publish(
                    rendered.artifacts.uploads
                        + (try PythonDefinition.capturedUploads(try part.context.compiled(for: rendered.environment).manifest)),
                    session: session,
                    progress: progress)
                if var total = result.published, let published {
                    total.add(published)
                    result.published = total
                } else if result.published == nil {
                    result.published = published
                }
                let upserted: Deployer.UpsertResult
                do {
                    upserted = try Deployer.upsert(
                        rendered, client: session.client, definitionBucket: rendered.environment.definitionBucket,
                        s3Endpoint: session.s3Endpoint)
                } catch {
                    throw error.asToolError
                }
                result.upsertedPipelines.append((part.key, upserted))
            }
        }
        if let record = promoted.record {
            result.record = record
        } else {
            result.record = try Promoter.record(every: promoted.outcomes)
        }
        return result
    }
}
