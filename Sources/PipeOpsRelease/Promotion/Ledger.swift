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

    /// The environments some commit was promoted to, read with pipeops's own parser rather than
    /// decoding every record (lint asks this whenever an image is unpinned, in a repository whose
    /// notes grow with every run). A note that is not a list of records counts for nothing, as
    /// in `records(in:)`.
    public static func promotedEnvironments(in repository: GitRepository) throws(PipeOpsError) -> Set<String> {
        var environments: Set<String> = []
        for (_, text) in try repository.notes(ref: notesRef) {
            guard let records = recordNodes(text) else { continue }
            for record in records where record["kind"]?.string == PromotionRecord.Kind.promotion.rawValue {
                if let environment = record["environment"]?.string { environments.insert(environment) }
            }
        }
        return environments
    }

    /// A note's records as parsed nodes, or nil when the note is not a list of records.
    private static func recordNodes(_ text: String) -> [Node]? {
        guard let root = DocumentLoader.parseOwnJSON(text),
            let members = root.members, members.count == 1, members[0].key == "records",
            let list = members[0].value.elements, list.allSatisfy(isRecord)
        else { return nil }
        return list
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
        let existing = try repository.note(on: record.commit, ref: notesRef)
        try repository.setNote(try noteText(existing, appending: record, commit: record.commit), on: record.commit, ref: notesRef)
    }

    /// How the note's text ends when the encoder wrote it: the last record's brace, the list's
    /// bracket, the note's brace and the newline `setNote` was given.
    static let noteClosing = "\n  ]\n}\n"

    /// Whether `node` has what every record has (the keys a decoder requires, a known kind).
    private static func isRecord(_ node: Node) -> Bool {
        guard let kind = node["kind"]?.string, PromotionRecord.Kind(rawValue: kind) != nil else { return false }
        return ["environment", "commit", "version", "structureSha256", "definitionSha256", "recordedAt"].allSatisfy {
            node[$0]?.string != nil
        }
    }

    /// The note's text with `record` added. A note the encoder wrote (every one pipeops writes)
    /// gets the record's own encoding spliced in before its closing lines, giving the very text
    /// that encoding the whole list would: runs add a record to the same commit's note again and
    /// again, and decoding and encoding every earlier record (Codable) made each run slower than
    /// the last (3.4 ms at 100 records). The note is still checked whole, by pipeops's own
    /// parser: text that is not a list of records is not overwritten.
    static func noteText(_ existing: String?, appending record: PromotionRecord, commit: String) throws(PipeOpsError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func encoded(_ value: some Encodable) throws(PipeOpsError) -> String {
            guard let data = try? encoder.encode(value) else { throw .message("cannot encode the promotion record") }
            return String(decoding: data, as: UTF8.self)
        }
        guard let existing else { return try encoded(Note(records: [record])) + "\n" }
        let refusal = PipeOpsError.git("the \(notesRef) note on \(commit.prefix(7)) is not a pipeops record; not overwriting it")
        guard let list = recordNodes(existing) else { throw refusal }
        if !list.isEmpty, existing.hasPrefix("{\n  \"records\" : [\n    {"), existing.hasSuffix(noteClosing) {
            // The record's lines, indented as the list's elements are (a JSON string holds no
            // newline; the one empty line of an empty object or list has no indentation).
            // Appended to the note's own text: `Substring + String` counted the note's characters
            // first (9.7 M instructions at 200 records).
            let lines = try encoded(record).split(separator: "\n", omittingEmptySubsequences: false)
            var text = existing
            text.removeLast(noteClosing.count)
            text += ",\n"
            text += lines.map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
            text += noteClosing
            return text
        }
        // Another layout (an empty list, a hand edit): decoded and written again whole.
        guard var note = try? JSONDecoder().decode(Note.self, from: Data(existing.utf8)) else { throw refusal }
        note.records.append(record)
        return try encoded(note) + "\n"
    }
}
