import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// Everything `pipeops version` reports: where the repository is, what HEAD is, whether the
/// tree is dirty, the nearest release tag, and the definition's hashes.
public struct VersionInfo: Sendable {
    public var repository: String
    public var commit: String
    public var branch: String?
    public var dirty: Bool
    /// Staged, unstaged and untracked changes.
    public var changes: [GitRepository.Change]
    /// Nearest release tag reachable from HEAD, and how many commits HEAD is past it.
    public var tag: String?
    public var distance: Int?
    /// `git describe --tags --dirty --long`: `<tag>-<n>-g<sha7>[-dirty]`, or `<sha7>[-dirty]` with no tag.
    public var describe: String
    public var shallow: Bool
    public var worktree: Bool
    public var definitionPath: String?
    public var hashes: DefinitionHashes?
    /// Code files and images the definition ships (before any environment's image pins).
    public var artifacts: ArtifactSet?

    public var shortCommit: String { String(commit.prefix(7)) }
    public var detached: Bool { branch == nil }

    /// The release tag when HEAD is exactly on it with a clean tree, otherwise the describe string.
    public var version: String {
        if let tag, distance == 0, !dirty { return tag }
        return describe
    }

    /// Reads the repository around `directory`. `tagPrefix` selects release tags (`v` → v1.2.3).
    public static func gather(from directory: String, tagPrefix: String = "v", definition: (path: String, root: Node)? = nil)
        throws(PipeOpsError) -> VersionInfo
    {
        let repository = try GitRepository.discover(from: directory)
        guard let head = try repository.head() else {
            throw .git("the repository at \(repository.workingDirectory ?? directory) has no commits yet; commit first")
        }
        let changes = try repository.changes()
        // git describe --dirty ignores untracked files; the dirty flag does not.
        let trackedDirty = changes.contains { !$0.isUntracked }
        var tag: String?
        var distance: Int?
        var describe = String(head.commit.prefix(7))
        let releaseNames = Set(try repository.tags().filter { ReleaseTags.version(of: $0.name, prefix: tagPrefix) != nil }.map(\.name))
        if !releaseNames.isEmpty, let found = try repository.describe(pattern: tagPrefix + "*"), releaseNames.contains(found.tag) {
            tag = found.tag
            distance = found.distance
            describe = "\(found.tag)-\(found.distance)-g\(found.abbreviated)"
        }
        if trackedDirty { describe += "-dirty" }
        return VersionInfo(
            repository: repository.workingDirectory ?? directory, commit: head.commit, branch: head.branch,
            dirty: !changes.isEmpty, changes: changes, tag: tag, distance: distance, describe: describe,
            shallow: repository.isShallow, worktree: repository.isWorktree, definitionPath: definition?.path,
            hashes: definition.map { DefinitionHashes(root: $0.root) })
    }

    /// A release read from git rather than the working tree (`promote --rev`): clean by
    /// definition, on `tag` when the revision is (or points at) a release tag.
    public static func release(_ revision: String, in repository: GitRepository, tagPrefix: String) throws(PipeOpsError) -> VersionInfo {
        guard let commit = try repository.commit(of: revision) else {
            throw .invalidArgument("--rev: '\(revision)' names no commit of this repository")
        }
        let releaseTags = try repository.tags().filter { $0.commit == commit && ReleaseTags.version(of: $0.name, prefix: tagPrefix) != nil }
        let tag =
            releaseTags.first { $0.name == revision }
            ?? ReleaseTags.latest(releaseTags.map(\.name), prefix: tagPrefix).map {
                GitRepository.Tag(name: $0.tag, commit: commit, annotated: true)
            }
        return VersionInfo(
            repository: repository.workingDirectory ?? "", commit: commit, branch: nil, dirty: false, changes: [], tag: tag?.name,
            distance: tag == nil ? nil : 0, describe: tag?.name ?? String(commit.prefix(7)), shallow: repository.isShallow,
            worktree: repository.isWorktree, definitionPath: nil, hashes: nil)
    }

    /// The tags every rendered request carries (within SageMaker's tag limits).
    public var stampTags: [(key: String, value: String)] {
        var tags: [(String, String)] = [
            ("pipeops:git-commit", commit),
            ("pipeops:git-dirty", dirty ? "true" : "false"),
            ("pipeops:version", StampText.tagValue(version)),
        ]
        if let hashes {
            tags.append(("pipeops:structure-sha256", hashes.structure))
            tags.append(("pipeops:definition-sha256", hashes.content))
        }
        if let artifacts { tags.append(("pipeops:code-sha256", artifacts.sha256)) }
        return tags
    }

    /// A one-line, human-readable version description (PipelineVersionDescription / PipelineDescription).
    public var humanDescription: String {
        var text = "pipeops \(version) · commit \(shortCommit)\(dirty ? " with uncommitted changes" : "")"
        if let branch { text += " on \(branch)" }
        if let hashes { text += " · structure sha256:\(hashes.structure.prefix(12))" }
        return String(text.prefix(3072))
    }

    public func json(verbose: Bool) -> Node {
        var members: [Node.Member] = [
            member("repository", .string(repository)),
            member("commit", .string(commit)),
            member("shortCommit", .string(shortCommit)),
            member("branch", branch.map { .string($0) } ?? .null),
            member("detached", .bool(detached)),
            member("dirty", .bool(dirty)),
            member("changeCount", .integer(changes.count)),
            member("tag", tag.map { .string($0) } ?? .null),
            member("distance", distance.map { .integer($0) } ?? .null),
            member("describe", .string(describe)),
            member("version", .string(version)),
            member("shallow", .bool(shallow)),
            member("worktree", .bool(worktree)),
        ]
        if verbose { members.append(member("changes", .array(changes.map { Node(.string($0.description)) }))) }
        if let hashes, let definitionPath {
            members.append(
                member(
                    "definition",
                    .object([
                        member("path", .string(definitionPath)),
                        member("sha256", .string(hashes.content)),
                        member("structureSha256", .string(hashes.structure)),
                    ])))
        } else {
            members.append(member("definition", .null))
        }
        if let artifacts {
            members.append(
                member(
                    "artifacts",
                    .object([
                        member("codeSha256", .string(artifacts.sha256)),
                        member(
                            "files", .object(artifacts.files.sorted { $0.key < $1.key }.map { member($0.key, .string($0.value.sha256)) })),
                        member("images", .array(artifacts.imageReferences.map { Node(.string($0)) })),
                    ])))
        }
        members.append(member("stampTags", .object(stampTags.map { member($0.key, .string($0.value)) })))
        return Node(.object(members))
    }
}

/// Release tags: `<prefix><semver>`.
public enum ReleaseTags {
    public static func version(of tag: String, prefix: String) -> SemanticVersion? {
        guard tag.hasPrefix(prefix) else { return nil }
        return SemanticVersion(String(tag.dropFirst(prefix.count)))
    }

    /// The highest release version among `tags`.
    public static func latest(_ tags: [String], prefix: String) -> (tag: String, version: SemanticVersion)? {
        tags.compactMap { tag in version(of: tag, prefix: prefix).map { (tag, $0) } }.max { $0.1 < $1.1 }
    }
}

enum StampText {
    /// Keeps a tag value within SageMaker's character set and 256 characters.
    static func tagValue(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@")
        return String(String(text.map { allowed.contains($0) ? $0 : "_" }).prefix(256))
    }
}
