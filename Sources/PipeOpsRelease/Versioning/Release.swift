import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// `pipeops tag`: create an annotated release tag on HEAD.
public enum Release {
    public struct Request: Sendable {
        /// An explicit semver (with or without the prefix), or major/minor/patch; nil means patch.
        public var version: String?
        public var allowDirty: Bool
        public var message: String?
        public var directory: String

        public init(
            version: String?, allowDirty: Bool = false, message: String? = nil, directory: String = FileManager.default.currentDirectoryPath
        ) {
            self.version = version
            self.allowDirty = allowDirty
            self.message = message
            self.directory = directory
        }
    }

    public struct Result: Sendable {
        public var tag: String
        public var commit: String
        public var previous: String?
        public var message: String
        /// False when HEAD already carried a release tag and a bump (patch, minor, major) was
        /// asked for: a rerun of the same release step makes no second tag.
        public var created: Bool = true
    }

    /// Checks every refusal before writing anything; a refused tag changes nothing.
    /// `pipelines`: a product with several names each one's definition and hashes in the message.
    public static func tag(
        _ request: Request, tagPrefix: String, definition: (path: String, root: Node)?,
        pipelines: [(key: String, path: String, root: Node)] = []
    ) throws(PipeOpsError) -> Result {
        let info = try VersionInfo.gather(from: request.directory, tagPrefix: tagPrefix, definition: definition)
        if info.dirty && !request.allowDirty {
            let sample = info.changes.prefix(5).map(\.description).joined(separator: ", ")
            throw .git(
                "the working tree has \(info.changes.count) uncommitted change\(info.changes.count == 1 ? "" : "s") (\(sample)); commit them or pass --allow-dirty"
            )
        }
        let repository = try GitRepository.discover(from: request.directory)
        let all = try repository.tags()
        let existing = all.map(\.name)
        let latest = ReleaseTags.latest(existing, prefix: tagPrefix)
        // A patch release of the commit that already is the latest release is a rerun (a CI
        // step run twice): no second tag. Minor and major bumps of it stay deliberate.
        if ["patch", nil].contains(request.version), let latest, latest.version.prerelease.isEmpty,
            all.contains(where: { $0.name == latest.tag && $0.commit == info.commit })
        {
            return Result(tag: latest.tag, commit: info.commit, previous: nil, message: "", created: false)
        }
        let next: SemanticVersion
        switch request.version {
        case nil, "patch"?: next = (latest?.version ?? SemanticVersion(major: 0, minor: 0, patch: 0)).bumped(.patch)
        case "minor"?: next = (latest?.version ?? SemanticVersion(major: 0, minor: 0, patch: 0)).bumped(.minor)
        case "major"?: next = (latest?.version ?? SemanticVersion(major: 0, minor: 0, patch: 0)).bumped(.major)
        case let text?:
            let body =
                text.hasPrefix(tagPrefix)
                ? String(text.dropFirst(tagPrefix.count)) : (text.hasPrefix("v") ? String(text.dropFirst()) : text)
            guard let version = SemanticVersion(body) else {
                throw .invalidArgument("'\(text)' is not a semantic version; use MAJOR.MINOR.PATCH (e.g. 1.4.0) or major, minor, patch")
            }
            next = version
        }
        let name = tagPrefix + next.description
        if existing.contains(name) { throw .git("tag '\(name)' already exists; nothing was changed") }
        var lines = [request.message ?? "Release \(name)", ""]
        lines.append("pipeops-version: \(name)")
        lines.append("git-commit: \(info.commit)")
        if let hashes = info.hashes, let path = info.definitionPath {
            lines.append("definition: \(path)")
            lines.append("definition-sha256: \(hashes.content)")
            lines.append("structure-sha256: \(hashes.structure)")
        }
        for pipeline in pipelines {
            let hashes = DefinitionHashes(root: pipeline.root)
            lines.append(
                "pipeline \(pipeline.key): \(pipeline.path) definition-sha256 \(hashes.content) structure-sha256 \(hashes.structure)")
        }
        if info.dirty { lines.append("working-tree: dirty (--allow-dirty)") }
        let message = lines.joined(separator: "\n")
        let tag = try repository.createAnnotatedTag(named: name, message: message)
        return Result(tag: tag.name, commit: tag.commit, previous: latest?.tag, message: message)
    }
}
