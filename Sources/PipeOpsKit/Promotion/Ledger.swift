import Foundation

/// A promotion or a successful smoke run, recorded as a git note on the commit it concerns.
public struct PromotionRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case promotion, smoke }

    public var kind: Kind
    public var environment: String
    public var commit: String
    public var version: String
    public var structureSha256: String
    public var definitionSha256: String
    public var recordedAt: String
    public var by: String?
    /// For smoke runs: the local execution id.
    public var execution: String?
    /// For promotions: the environment promoted from.
    public var from: String?
}

/// Promotion records kept in `refs/notes/pipeops`, so they travel with the repository
/// (`git push origin refs/notes/pipeops`) and `git notes --ref=pipeops show <commit>` reads them.
public enum Ledger {
    public static let notesRef = "refs/notes/pipeops"

    struct Note: Codable { var records: [PromotionRecord] }

    public static func records(in repository: GitRepository) throws(PipeOpsError) -> [PromotionRecord] {
        var all: [PromotionRecord] = []
        for (_, text) in try repository.notes(ref: notesRef) {
            guard let note = try? JSONDecoder().decode(Note.self, from: Data(text.utf8)) else { continue }
            all += note.records
        }
        return all.sorted { ($0.recordedAt, $0.environment) < ($1.recordedAt, $1.environment) }
    }

    /// How long a writer waits for another pipeops to finish writing the ledger.
    static let lockTimeout: TimeInterval = 30

    /// Appends `record` to the note on its commit. The read-modify-write of the note holds an
    /// exclusive lock (`flock` on `<git dir>/pipeops-ledger.lock`), so concurrent writers (eight
    /// smoke runs at once, two promotions) each add their record and none is lost; the kernel
    /// releases the lock when its holder dies, even by SIGKILL.
    public static func append(_ record: PromotionRecord, in repository: GitRepository) throws(PipeOpsError) {
        let lockPath = repository.commonDirectory + "pipeops-ledger.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .writeFailed(lockPath, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let deadline = Date().addingTimeInterval(lockTimeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                throw .git(
                    "another pipeops has been writing \(notesRef) for \(Int(lockTimeout)) s (lock \(lockPath)); nothing was recorded; try again"
                )
            }
            usleep(20_000)
        }
        defer { flock(descriptor, LOCK_UN) }
        try appendLocked(record, in: repository)
    }

    private static func appendLocked(_ record: PromotionRecord, in repository: GitRepository) throws(PipeOpsError) {
        var note = Note(records: [])
        if let text = try repository.note(on: record.commit, ref: notesRef) {
            guard let existing = try? JSONDecoder().decode(Note.self, from: Data(text.utf8)) else {
                throw .git("the \(notesRef) note on \(record.commit.prefix(7)) is not a pipeops record; not overwriting it")
            }
            note = existing
        }
        note.records.append(record)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(note) else { throw .message("cannot encode the promotion record") }
        try repository.setNote(String(decoding: data, as: UTF8.self) + "\n", on: record.commit, ref: notesRef)
    }
}
