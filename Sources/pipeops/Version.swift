import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "version",
            abstract: "Show the git version of the product: commit, dirty state, release tag, definition hashes.",
            discussion: """
                Read through libgit2 (no git subprocess). The version is the release tag when HEAD \
                is exactly on it with a clean tree, else `<tag>-<commits since>-g<sha>[-dirty]` as \
                `git describe --tags --dirty --long` prints it. The structure hash ignores parameter \
                defaults, so it is the same for every environment of one definition. The code hash \
                covers the step code the definition names (files under pipeops.yaml's code: \
                folders: paths, modes, contents) and its image references; -v lists the files.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Flag(name: .shortAndLong, help: "List the uncommitted changes.")
        var verbose = false

        func run() throws {
            let (info, tagPrefix) = try VersionUseCase.describe(workspace: selection.workspace)
            switch format {
            case .json:
                Terminal.output(CanonicalJSON.string(info.json(verbose: verbose), sortKeys: false, pretty: true) + "\n")
            case .text:
                var lines = [
                    "version     \(info.version)",
                    "commit      \(info.commit)",
                    "branch      \(info.branch ?? "(detached HEAD)")",
                    "tree        \(info.dirty ? "dirty (\(info.changes.count) change\(info.changes.count == 1 ? "" : "s"))" : "clean")",
                    "release     \(info.tag.map { "\($0) (+\(info.distance ?? 0) commits)" } ?? "none (pipeops tag creates \(tagPrefix)0.0.1)")",
                    "repository  \(info.repository)\(info.shallow ? " (shallow clone)" : "")\(info.worktree ? " (linked worktree)" : "")",
                ]
                if let hashes = info.hashes, let path = info.definitionPath {
                    lines.append("definition  \(path)")
                    lines.append("  sha256    \(hashes.content)")
                    lines.append("  structure \(hashes.structure)")
                }
                if let artifacts = info.artifacts {
                    let files = artifacts.files
                    lines.append("code        sha256 \(artifacts.sha256)")
                    lines.append(
                        "  files     \(files.count) (\(Set(artifacts.code.map(\.folder.display)).sorted().joined(separator: ", ")))")
                    if verbose { lines += files.sorted { $0.key < $1.key }.map { "    \($0.value.sha256.prefix(12)) \($0.key)" } }
                    for image in artifacts.imageReferences {
                        lines.append("  image     \(image)\(ImageReference(image)?.isPinned == true ? "" : " (not pinned)")")
                    }
                }
                if verbose { lines += info.changes.map { "  \($0)" } }
                Terminal.output(lines.joined(separator: "\n") + "\n")
            }
        }
    }

    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tag",
            abstract: "Create an annotated release tag on HEAD.",
            discussion: """
                VERSION is a semantic version (1.4.0 or v1.4.0) or major, minor, patch to bump the \
                latest release tag (default: patch). Tags are named <prefix><version>, prefix `v` \
                unless pipeops.yaml sets release.tagPrefix. The tag message records the commit and \
                the definition's content and structure hashes. The tagger is git's user.name and \
                user.email, or `pipeops <pipeops@localhost>` when git has none.

                Refuses (exit 2, nothing changed): a dirty tree without --allow-dirty, an existing \
                tag, an invalid version, a repository with no commits, a folder outside a repository.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Argument(help: "Semantic version or major|minor|patch.")
        var version: String?

        @Flag(help: "Tag even with uncommitted changes (recorded in the tag message).")
        var allowDirty = false

        @Option(name: .shortAndLong, help: "First line of the tag message.")
        var message: String?

        func run() throws {
            let result = try VersionUseCase.tag(version: version, allowDirty: allowDirty, message: message, workspace: selection.workspace)
            guard result.created else {
                Terminal.output(
                    "\(result.commit.prefix(7)) is already released as \(result.tag); no new tag (name a version to tag it again)\n")
                return
            }
            Terminal.output(
                "tagged \(result.tag) at \(result.commit.prefix(7))\(result.previous.map { " (previous release \($0))" } ?? "")\n")
            Terminal.standardError("push it with: git push origin \(result.tag)")
        }
    }
}
