import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsWorkspace

/// A record is added to a commit's note without decoding the records already there; the text
/// must be what encoding the whole list gives, and a note that is not pipeops's is never written.
@Suite struct LedgerNoteTests {
    /// Records of every kind, with and without the optional parts.
    static func records() -> [PromotionRecord] {
        var smoke = PromotionRecord(
            kind: .smoke, environment: "dev", commit: String(repeating: "a", count: 40), version: "aaaaaaa",
            structureSha256: "s1", definitionSha256: "d1", recordedAt: "2026-12-02T04:33:21.586Z", by: "Dev <dev@example.com>",
            execution: "fa33ac4d1c57", from: nil)
        smoke.codeSha256 = "c1"
        smoke.codeFiles = ["pipeline/steps/train.py": "f1", "pipeline/steps/evaluate.py": "f2"]
        smoke.images = ["111111111111.dkr.ecr.us-east-1.amazonaws.com/demo:latest"]
        let promotion = PromotionRecord(
            kind: .promotion, environment: "staging", commit: String(repeating: "a", count: 40), version: "v1.2.0",
            structureSha256: "s1", definitionSha256: "d2", recordedAt: "2026-12-02T05:00:00Z", by: nil, execution: nil,
            from: "dev")
        var sagemaker = PromotionRecord(
            kind: .sagemaker, environment: "staging", commit: String(repeating: "a", count: 40), version: "v1.2.0",
            structureSha256: "s1", definitionSha256: "d2", recordedAt: "2026-12-02T05:10:00Z", by: "Ci \"bot\" <ci@example.com>",
            execution: "arn:aws:sagemaker:us-east-1:111111111111:pipeline/p/execution/x1", from: nil, account: "111111111111",
            region: "us-east-1")
        sagemaker.pipeline = "training"
        var several = promotion
        several.environment = "prod"
        several.from = "staging"
        // (PipelineHashes is made from a rendered environment; decoded here.)
        several.pipelines = try? JSONDecoder().decode(
            [String: PromotionRecord.PipelineHashes].self,
            from: Data(
                #"""
                {"training": {"structureSha256": "t1", "definitionSha256": "t2", "codeSha256": "t3", "codeFiles": {"a/b.py": "h"}, "images": []},
                 "inference": {"structureSha256": "i1", "definitionSha256": "i2", "codeSha256": "i3", "codeFiles": {}, "images": ["x@sha256:00"]}}
                """#.utf8))
        precondition(several.pipelines?.count == 2)
        return [smoke, promotion, sagemaker, several, smoke]
    }

    static func encodedWhole(_ records: [PromotionRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Ledger.Note(records: records)), as: UTF8.self) + "\n"
    }

    @Test func eachAddedRecordGivesTheTextOfTheWholeListEncoded() throws {
        let records = Self.records()
        var text: String?
        for count in 1...records.count {
            let next = try Ledger.noteText(text, appending: records[count - 1], commit: records[0].commit)
            #expect(next == (try Self.encodedWhole(Array(records.prefix(count)))), "after \(count) records")
            text = next
        }
        let decoded = try JSONDecoder().decode(Ledger.Note.self, from: Data(text!.utf8))
        #expect(decoded.records == records)
    }

    @Test func aNoteInAnotherLayoutKeepsItsRecordsAndTakesTheEncodersLayout() throws {
        let records = Self.records()
        let compact = String(decoding: try JSONEncoder().encode(Ledger.Note(records: [records[0], records[1]])), as: UTF8.self)
        let next = try Ledger.noteText(compact, appending: records[2], commit: records[0].commit)
        #expect(next == (try Self.encodedWhole(Array(records.prefix(3)))))
        let fromEmpty = try Ledger.noteText(#"{"records" : []}"#, appending: records[3], commit: records[0].commit)
        #expect(fromEmpty == (try Self.encodedWhole([records[3]])))
        // The splice's layout with a record the encoder would not write is still checked whole.
        let edited = try Self.encodedWhole([records[0]]).replacingOccurrences(
            of: "\"kind\" : \"smoke\"", with: "\"kind\" : \"smoke\", \"note\" : 1")
        let afterEdit = try Ledger.noteText(edited, appending: records[1], commit: records[0].commit)
        #expect(afterEdit.hasPrefix(edited.dropLast(Ledger.noteClosing.count)))
        #expect(try JSONDecoder().decode(Ledger.Note.self, from: Data(afterEdit.utf8)).records.count == 2)
    }

    @Test func aNoteThatIsNotAListOfRecordsIsNotOverwritten() throws {
        let record = Self.records()[0]
        for foreign in [
            "reviewed by Ana\n", #"{"records": 3}"#, #"{"review": "ok"}"#, #"{"records": [1, 2]}"#,
            #"{"records": [{"kind": "smoke"}], "other": true}"#, "{\n  \"records\" : [\n    {\n  ]\n}\n",
            #"{"records": [{"kind": "unknown-kind"}]}"#,
            // The encoder's layout, but a record without what every record has.
            "{\n  \"records\" : [\n    {\n      \"kind\" : \"smoke\"\n    }\n  ]\n}\n",
        ] {
            #expect(throws: PipeOpsError.self, "\(foreign)") { try Ledger.noteText(foreign, appending: record, commit: record.commit) }
        }
    }

    /// What lint asks of the ledger (read without decoding every record) agrees with the
    /// decoded records, and a note that is not pipeops's counts for nothing in both.
    @Test func promotedEnvironmentsAreThoseTheDecodedRecordsName() throws {
        let fixture = try GitFixture()
        let first = try fixture.git("rev-parse", "HEAD")
        var repository = try GitRepository.discover(from: fixture.path)
        #expect(try Ledger.promotedEnvironments(in: repository).isEmpty)
        for record in Self.records() {
            var onFirst = record
            onFirst.commit = first
            try Ledger.append(onFirst, in: repository)
        }
        _ = fixture.write("second.txt", "2\n")
        _ = try fixture.git("add", "-A")
        _ = try fixture.git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "second")
        let second = try fixture.git("rev-parse", "HEAD")
        _ = try fixture.git("notes", "--ref=pipeops", "add", "-m", #"{"records": [{"kind": "promotion", "environment": "qa"}]}"#, second)
        repository = try GitRepository.discover(from: fixture.path)
        let decoded = Set(try Ledger.records(in: repository).filter { $0.kind == .promotion }.map(\.environment))
        #expect(decoded == ["staging", "prod"])
        #expect(try Ledger.promotedEnvironments(in: repository) == decoded)
    }
}
