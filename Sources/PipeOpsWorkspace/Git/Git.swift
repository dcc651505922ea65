import CLibGit2
import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// A git repository opened through libgit2 (no `git` subprocess). One instance per task:
/// libgit2 handles must not be shared across threads.
public final class GitRepository {
    /// The libgit2 pipeops is linked with (`major.minor.revision`).
    public static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// The libgit2 repository; extensions in other files (revisions) use it too.
    let handle: OpaquePointer

    /// The working tree root (with a trailing slash removed), or nil for a bare repository.
    public let workingDirectory: String?

    private static let initialised: Bool = {
        git_libgit2_init()
        return true
    }()

    /// Opens the repository containing `path` (searching parent directories, like git).
    public static func discover(from path: String) throws(PipeOpsError) -> GitRepository {
        _ = initialised
        var repository: OpaquePointer?
        let status = git_repository_open_ext(&repository, path, 0, nil)
        guard status == 0, let repository else {
            let message = lastErrorMessage()
            if status == GIT_ENOTFOUND.rawValue && message.contains("safe.directory") {
                throw ownershipError(near: path)
            }
            if status == GIT_ENOTFOUND.rawValue {
                throw .git("\(path) is not inside a git repository; run 'git init' (or work from a clone)")
            }
            throw .git("cannot open the git repository at \(path): \(message)")
        }
        return GitRepository(handle: repository)
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
        if let workdir = git_repository_workdir(handle) {
            var path = String(cString: workdir)
            if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            workingDirectory = path
        } else {
            workingDirectory = nil
        }
    }

    deinit { git_repository_free(handle) }

    static func lastErrorMessage() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }

    /// libgit2 1.5 reports a repository owned by another user as "config value 'safe.directory'
    /// was not found"; say what is going on and how to fix it instead.
    static func ownershipError(near path: String) -> PipeOpsError {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var owner: uid_t?
        var root = url.path
        while true {
            var info = stat()
            if stat(url.appendingPathComponent(".git").path, &info) == 0 {
                owner = info.st_uid
                root = url.path
                break
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        let who = owner.map { "user \($0)" } ?? "another user"
        return .git(
            "the git repository at \(root) is owned by \(who), not by you (uid \(getuid())); git refuses such repositories for safety. If you trust it, run: git config --global --add safe.directory \(root)"
        )
    }

    // MARK: HEAD

    public struct Head: Sendable, Equatable {
        public var commit: String
        /// Branch name, or nil when HEAD is detached.
        public var branch: String?
        /// The commit's time (seconds since 1970): the same on every clone.
        public var time: Int64 = 0
    }

    /// HEAD's commit and branch; nil for a repository with no commits yet.
    public func head() throws(PipeOpsError) -> Head? {
        var reference: OpaquePointer?
        let status = git_repository_head(&reference, handle)
        if status == GIT_EUNBORNBRANCH.rawValue || status == GIT_ENOTFOUND.rawValue { return nil }
        guard status == 0, let reference else { throw .git("cannot read HEAD: \(Self.lastErrorMessage())") }
        defer { git_reference_free(reference) }
        var peeled: OpaquePointer?
        guard git_reference_peel(&peeled, reference, GIT_OBJECT_COMMIT) == 0, let peeled else {
            throw .git("HEAD does not point at a commit: \(Self.lastErrorMessage())")
        }
        defer { git_object_free(peeled) }
        let commit = Self.hex(git_object_id(peeled))
        let detached = git_repository_head_detached(handle) == 1
        let branch = detached ? nil : git_reference_shorthand(reference).map { String(cString: $0) }
        return Head(commit: commit, branch: branch, time: Int64(git_commit_time(peeled)))
    }

    public var isShallow: Bool { git_repository_is_shallow(handle) == 1 }
    /// The repository's common git directory (shared by linked worktrees), with a trailing slash.
    public var commonDirectory: String { String(cString: git_repository_commondir(handle)) }
    public var isWorktree: Bool { git_repository_is_worktree(handle) == 1 }

    static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid else { return "" }
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, oid)
        return String(cString: buffer)
    }

    // MARK: Status

    /// One changed path, as `git status --porcelain` shows it (`XY path`).
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public var index: Character
        public var workingTree: Character
        public var path: String
        public var isUntracked: Bool { index == "?" }
        public var description: String { "\(index)\(workingTree) \(path)" }
    }

    /// Staged, unstaged and untracked (not ignored) changes; untracked folders are listed file by file.
    public func changes() throws(PipeOpsError) -> [Change] {
        var options = git_status_options()
        git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX.rawValue
        var list: OpaquePointer?
        guard git_status_list_new(&list, handle, &options) == 0, let list else {
            throw .git("cannot read the working tree status: \(Self.lastErrorMessage())")
        }
        defer { git_status_list_free(list) }
        var changes: [Change] = []
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i)?.pointee else { continue }
            let flags = entry.status.rawValue
            func has(_ flag: git_status_t) -> Bool { flags & flag.rawValue != 0 }
            var x: Character = " "
            var y: Character = " "
            if has(GIT_STATUS_CONFLICTED) {
                // Mid-merge: an unmerged path is a change (the clean-tree gate must not pass).
                x = "U"
                y = "U"
            } else if has(GIT_STATUS_WT_NEW) && !has(GIT_STATUS_INDEX_NEW) {
                x = "?"
                y = "?"
            } else {
                if has(GIT_STATUS_INDEX_NEW) {
                    x = "A"
                } else if has(GIT_STATUS_INDEX_MODIFIED) {
                    x = "M"
                } else if has(GIT_STATUS_INDEX_DELETED) {
                    x = "D"
                } else if has(GIT_STATUS_INDEX_RENAMED) {
                    x = "R"
                } else if has(GIT_STATUS_INDEX_TYPECHANGE) {
                    x = "T"
                }
                if has(GIT_STATUS_WT_MODIFIED) {
                    y = "M"
                } else if has(GIT_STATUS_WT_DELETED) {
                    y = "D"
                } else if has(GIT_STATUS_WT_TYPECHANGE) {
                    y = "T"
                } else if has(GIT_STATUS_WT_RENAMED) {
                    y = "R"
                }
            }
            if x == " " && y == " " { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            let file = (x == "R" ? entry.head_to_index?.pointee.new_file : delta?.pointee.new_file)
            guard let pathPointer = file?.path ?? delta?.pointee.old_file.path else { continue }
            changes.append(Change(index: x, workingTree: y, path: String(cString: pathPointer)))
        }
        return changes.sorted { $0.path < $1.path }
    }

    // MARK: Tags

    public struct Tag: Sendable, Equatable {
        public var name: String
        public var commit: String
        public var annotated: Bool

        public init(name: String, commit: String, annotated: Bool) {
            self.name = name
            self.commit = commit
            self.annotated = annotated
        }
    }

    public func tags() throws(PipeOpsError) -> [Tag] {
        var names = git_strarray()
        guard git_tag_list(&names, handle) == 0 else { throw .git("cannot list tags: \(Self.lastErrorMessage())") }
        defer { git_strarray_dispose(&names) }
        var tags: [Tag] = []
        for i in 0..<names.count {
            guard let pointer = names.strings[i] else { continue }
            let name = String(cString: pointer)
            var object: OpaquePointer?
            guard git_revparse_single(&object, handle, "refs/tags/\(name)") == 0, let object else { continue }
            defer { git_object_free(object) }
            let annotated = git_object_type(object) == GIT_OBJECT_TAG
            var commit: OpaquePointer?
            guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else { continue }
            defer { git_object_free(commit) }
            tags.append(Tag(name: name, commit: Self.hex(git_object_id(commit)), annotated: annotated))
        }
        return tags
    }

    /// `git describe --tags --long --match PATTERN` for HEAD: the nearest tag and the distance to it.
    public func describe(pattern: String?) throws(PipeOpsError) -> (tag: String, distance: Int, abbreviated: String)? {
        var head: OpaquePointer?
        guard git_revparse_single(&head, handle, "HEAD^{commit}") == 0, let head else { return nil }
        defer { git_object_free(head) }
        var options = git_describe_options()
        git_describe_options_init(&options, UInt32(GIT_DESCRIBE_OPTIONS_VERSION))
        options.describe_strategy = GIT_DESCRIBE_TAGS.rawValue
        var result: OpaquePointer?
        let status: Int32 =
            pattern.map { pattern in
                pattern.withCString { cPattern in
                    options.pattern = cPattern
                    return git_describe_commit(&result, head, &options)
                }
            } ?? git_describe_commit(&result, head, &options)
        guard status == 0, let result else {
            if status == GIT_ENOTFOUND.rawValue { return nil }
            throw .git("cannot describe HEAD: \(Self.lastErrorMessage())")
        }
        defer { git_describe_result_free(result) }
        var format = git_describe_format_options()
        git_describe_format_options_init(&format, UInt32(GIT_DESCRIBE_FORMAT_OPTIONS_VERSION))
        format.always_use_long_format = 1
        format.abbreviated_size = 7
        var buffer = git_buf()
        guard git_describe_format(&buffer, result, &format) == 0 else { throw .git("cannot describe HEAD: \(Self.lastErrorMessage())") }
        defer { git_buf_dispose(&buffer) }
        let text = String(cString: buffer.ptr)
        // <tag>-<distance>-g<abbrev>; the tag itself may contain hyphens.
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let distance = Int(parts[parts.count - 2]), parts[parts.count - 1].hasPrefix("g") else {
            throw .git("unexpected describe output '\(text)'")
        }
        return (parts.dropLast(2).joined(separator: "-"), distance, String(parts[parts.count - 1].dropFirst()))
    }

    /// Creates an annotated tag on HEAD. Refuses an existing name without changing anything.
    @discardableResult
    public func createAnnotatedTag(named name: String, message: String) throws(PipeOpsError) -> Tag {
        var valid: Int32 = 0
        guard git_reference_name_is_valid(&valid, "refs/tags/\(name)") == 0, valid == 1 else {
            throw .git("'\(name)' is not a valid tag name")
        }
        var target: OpaquePointer?
        guard git_revparse_single(&target, handle, "HEAD^{commit}") == 0, let target else {
            throw .git("the repository has no commits yet; commit before tagging")
        }
        defer { git_object_free(target) }
        var signature: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&signature, handle) != 0 || signature == nil {
            // No user.name/user.email in any git config: a documented fallback identity.
            guard git_signature_now(&signature, "pipeops", "pipeops@localhost") == 0 else {
                throw .git("cannot create a tagger signature: \(Self.lastErrorMessage())")
            }
        }
        defer { git_signature_free(signature) }
        var pretty = git_buf()
        guard git_message_prettify(&pretty, message, 0, 0) == 0 else { throw .git("invalid tag message: \(Self.lastErrorMessage())") }
        defer { git_buf_dispose(&pretty) }
        var oid = git_oid()
        let status = git_tag_create(&oid, handle, name, target, signature, pretty.ptr, 0)
        if status == GIT_EEXISTS.rawValue { throw .git("tag '\(name)' already exists; nothing was changed") }
        guard status == 0 else { throw .git("cannot create tag '\(name)': \(Self.lastErrorMessage())") }
        return Tag(name: name, commit: Self.hex(git_object_id(target)), annotated: true)
    }

    // MARK: Notes

    /// The note text on `commit` in `notesRef`, or nil.
    public func note(on commit: String, ref notesRef: String) throws(PipeOpsError) -> String? {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { throw .git("'\(commit)' is not a commit id") }
        var note: OpaquePointer?
        let status = git_note_read(&note, handle, notesRef, &oid)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        guard status == 0, let note else {
            throw .git("cannot read the \(notesRef) note on \(commit.prefix(7)): \(Self.lastErrorMessage())")
        }
        defer { git_note_free(note) }
        return git_note_message(note).map { String(cString: $0) }
    }

    /// Writes (replacing) the note on `commit` in `notesRef`.
    public func setNote(_ text: String, on commit: String, ref notesRef: String) throws(PipeOpsError) {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { throw .git("'\(commit)' is not a commit id") }
        var signature: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&signature, handle) != 0 || signature == nil {
            guard git_signature_now(&signature, "pipeops", "pipeops@localhost") == 0 else {
                throw .git("cannot create a signature: \(Self.lastErrorMessage())")
            }
        }
        defer { git_signature_free(signature) }
        var noteOid = git_oid()
        guard git_note_create(&noteOid, handle, notesRef, signature, signature, &oid, text, 1) == 0 else {
            throw .git("cannot write the \(notesRef) note: \(Self.lastErrorMessage())")
        }
    }

    /// Every (commit, note text) in `notesRef`.
    public func notes(ref notesRef: String) throws(PipeOpsError) -> [(commit: String, text: String)] {
        var iterator: OpaquePointer?
        let status = git_note_iterator_new(&iterator, handle, notesRef)
        if status == GIT_ENOTFOUND.rawValue { return [] }
        guard status == 0, let iterator else { throw .git("cannot list \(notesRef): \(Self.lastErrorMessage())") }
        defer { git_note_iterator_free(iterator) }
        var result: [(String, String)] = []
        var noteId = git_oid()
        var annotated = git_oid()
        while git_note_next(&noteId, &annotated, iterator) == 0 {
            let commit = Self.hex(&annotated)
            if let text = try note(on: commit, ref: notesRef) { result.append((commit, text)) }
        }
        return result
    }

    /// The identity git would record for the current user (user.name/user.email), if configured.
    public var userIdentity: String? {
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&signature, handle) == 0, let signature else { return nil }
        defer { git_signature_free(signature) }
        return "\(String(cString: signature.pointee.name)) <\(String(cString: signature.pointee.email))>"
    }
}
