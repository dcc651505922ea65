import CLibGit2
import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// Reading other revisions than HEAD: which commit a name means, a file in it, and all of its
/// files written somewhere else — through the object database, never the working tree.
extension GitRepository {
    /// The commit a revision (tag, branch, commit id, `HEAD~2`) names, or nil when it names none.
    public func commit(of revision: String) throws(PipeOpsError) -> String? {
        var object: OpaquePointer?
        guard git_revparse_single(&object, handle, revision) == 0, let object else { return nil }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            throw .git("'\(revision)' does not name a commit")
        }
        defer { git_object_free(commit) }
        return Self.hex(git_object_id(commit))
    }

    /// The bytes of `path` (relative to the repository root) in `commit`, or nil when the
    /// commit has no such file. Read from the object database: no checkout.
    public func file(_ path: String, in commit: String) throws(PipeOpsError) -> Data? {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { throw .git("'\(commit)' is not a commit id") }
        var commitObject: OpaquePointer?
        guard git_commit_lookup(&commitObject, handle, &oid) == 0, let commitObject else {
            throw .git("cannot read commit \(commit.prefix(7)): \(Self.lastErrorMessage())")
        }
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commitObject) == 0, let tree else { throw .git("cannot read the tree of \(commit.prefix(7))") }
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let status = git_tree_entry_bypath(&entry, tree, path)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        guard status == 0, let entry else { throw .git("cannot find \(path) in \(commit.prefix(7)): \(Self.lastErrorMessage())") }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, handle, git_tree_entry_id(entry)) == 0, let blob else {
            throw .git("cannot read \(path) in \(commit.prefix(7)): \(Self.lastErrorMessage())")
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size <= DocumentLoader.maximumFileBytes else {
            throw .fileTooLarge(path, bytes: size, limit: DocumentLoader.maximumFileBytes)
        }
        guard let raw = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: raw, count: size)
    }

    /// Writes the files of `commit` into `directory` (which must not be the working tree),
    /// through libgit2: the working tree, the index and HEAD are left alone.
    public func export(_ commit: String, to directory: String) throws(PipeOpsError) {
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { throw .git("'\(commit)' is not a commit id") }
        var object: OpaquePointer?
        guard git_object_lookup(&object, handle, &oid, GIT_OBJECT_COMMIT) == 0, let object else {
            throw .git("cannot read commit \(commit.prefix(7)): \(Self.lastErrorMessage())")
        }
        defer { git_object_free(object) }
        var options = git_checkout_options()
        git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
        let target = strdup(directory)
        defer { free(target) }
        options.target_directory = UnsafePointer(target)
        guard git_checkout_tree(handle, object, &options) == 0 else {
            throw .git("cannot write \(commit.prefix(7))'s files into \(directory): \(Self.lastErrorMessage())")
        }
    }
}
