import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// A promotion or a successful smoke run, recorded as a git note on the commit it concerns.
public struct PromotionRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// `pipeops promote` recorded the environment's new version.
        case promotion
        /// A successful local run (`pipeops run --env`).
        case smoke
        /// A succeeded SageMaker execution (`pipeops start --wait`) of exactly the rendered definition.
        case sagemaker
    }

    public var kind: Kind
    public var environment: String
    public var commit: String
    public var version: String
    public var structureSha256: String
    public var definitionSha256: String
    public var recordedAt: String
    public var by: String?
    /// For smoke runs: the local execution id; for SageMaker runs, the execution ARN.
    public var execution: String?
    /// For promotions: the environment promoted from.
    public var from: String?
    /// The artifact hash (`pipeops:code-sha256`): code files and image references shipped.
    public var codeSha256: String?
    /// Product path → sha256 of every code file shipped (names what differs when a gate refuses).
    public var codeFiles: [String: String]?
    /// Image references shipped (pinned ones carry their digest).
    public var images: [String]?
    /// For SageMaker runs: where the execution ran.
    public var account: String?
    public var region: String?
    /// The `pipelines:` key the record is about, in a product with several (runs are of one).
    public var pipeline: String?
    /// A promotion of a product with several pipelines: one record, every pipeline's hashes (the
    /// top-level hashes then fingerprint the set).
    public var pipelines: [String: PipelineHashes]?

    /// One pipeline's part of a promotion that covers several.
    public struct PipelineHashes: Codable, Sendable, Equatable {
        public var structureSha256: String
        public var definitionSha256: String
        public var codeSha256: String
        public var codeFiles: [String: String]
        public var images: [String]

        public init(_ rendered: RenderedEnvironment) {
            structureSha256 = rendered.hashes.structure
            definitionSha256 = rendered.hashes.content
            codeSha256 = rendered.artifacts.sha256
            codeFiles = rendered.artifacts.files.mapValues(\.sha256)
            images = rendered.artifacts.imageReferences
        }
    }

    /// The record as evidence for each pipeline it covers: itself, or for a promotion of several
    /// pipelines one record per pipeline with that pipeline's hashes.
    public var perPipeline: [PromotionRecord] {
        guard let pipelines else { return [self] }
        return pipelines.keys.sorted().map { key in
            var part = self
            let hashes = pipelines[key]!
            part.pipelines = nil
            part.pipeline = key
            part.structureSha256 = hashes.structureSha256
            part.definitionSha256 = hashes.definitionSha256
            part.codeSha256 = hashes.codeSha256
            part.codeFiles = hashes.codeFiles
            part.images = hashes.images
            return part
        }
    }

    /// The part of the record about pipeline `key` (nil: a record of another pipeline).
    public func about(pipeline key: String?) -> PromotionRecord? {
        guard let key else { return self }
        if pipelines != nil { return perPipeline.first { $0.pipeline == key } }
        return pipeline == nil || pipeline == key ? self : nil
    }

    public init(
        kind: Kind, environment: String, commit: String, version: String, structureSha256: String, definitionSha256: String,
        recordedAt: String, by: String?, execution: String?, from: String?, artifacts: ArtifactSet? = nil, account: String? = nil,
        region: String? = nil
    ) {
        self.kind = kind
        self.environment = environment
        self.commit = commit
        self.version = version
        self.structureSha256 = structureSha256
        self.definitionSha256 = definitionSha256
        self.recordedAt = recordedAt
        self.by = by
        self.execution = execution
        self.from = from
        if let artifacts {
            codeSha256 = artifacts.sha256
            codeFiles = artifacts.files.mapValues(\.sha256)
            images = artifacts.imageReferences
        }
        self.account = account
        self.region = region
    }

    /// Whether the record's images prove which image ran: a local run runs none, and a tag
    /// (the first environment may run one) names no fixed image.
    public var imagesAreEvidence: Bool {
        kind != .smoke && (images ?? []).allSatisfy { ImageReference($0)?.isPinned == true }
    }

    /// What differs between the artifacts this record shipped and `artifacts`, one phrase per
    /// file or image (at most `limit`, then a count).
    public func artifactDifferences(from artifacts: ArtifactSet, limit: Int = 6) -> [String] {
        guard let recorded = codeFiles else { return ["this record predates artifact hashes (no code files recorded)"] }
        let current = artifacts.files.mapValues(\.sha256)
        var phrases: [String] = []
        for path in Set(recorded.keys).union(current.keys).sorted() {
            switch (recorded[path], current[path]) {
            case (let old?, let new?) where old != new: phrases.append("\(path) (sha256 \(old.prefix(12)) → \(new.prefix(12)))")
            case (nil, _?): phrases.append("\(path) (new)")
            case (_?, nil): phrases.append("\(path) (no longer shipped)")
            default: break
            }
        }
        if imagesAreEvidence {
            let old = Set(images ?? [])
            let new = Set(artifacts.imageReferences)
            for image in old.subtracting(new).sorted() { phrases.append("image \(image) (ran there, not shipped now)") }
            for image in new.subtracting(old).sorted() { phrases.append("image \(image) (never ran there)") }
        }
        if phrases.isEmpty, codeSha256 != artifacts.sha256 { phrases.append("file modes differ") }
        return phrases.count > limit ? Array(phrases.prefix(limit)) + ["and \(phrases.count - limit) more"] : phrases
    }
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
