import Foundation
import PipeOpsModel
import PipeOpsWorkspace

/// A release of a product with several pipelines moves as one: every pipeline passes its gates
/// (pins and previous-environment evidence are per pipeline) and one record names them all.
extension Promoter {
    public struct PipelineOutcome: Sendable {
        public var key: String
        public var context: ProductContext
        public var outcome: Outcome
    }

    /// The gates of every pipeline, then one record (unless refused or `dryRun`).
    public static func promote(
        every contexts: [(key: String, context: ProductContext)], to target: String, from source: String?, requireTag: Bool,
        dryRun: Bool, release: VersionInfo? = nil
    ) throws(PipeOpsError) -> (outcomes: [PipelineOutcome], gates: [Gate], record: PromotionRecord?) {
        var outcomes: [PipelineOutcome] = []
        for (key, context) in contexts {
            let outcome = try promote(context, to: target, from: source, requireTag: requireTag, dryRun: true, release: release)
            outcomes.append(PipelineOutcome(key: key, context: context, outcome: outcome))
        }
        let gates = merged(outcomes)
        guard gates.allSatisfy(\.passed), !dryRun else { return (outcomes, gates, nil) }
        return (outcomes, gates, try record(every: outcomes))
    }

    /// One gate where every pipeline says the same (lint, the tree, the tag); one per pipeline,
    /// named in its detail, where they differ (pins, evidence).
    static func merged(_ outcomes: [PipelineOutcome]) -> [Gate] {
        var gates: [Gate] = []
        for name in gateOrder {
            let each = outcomes.compactMap { part in part.outcome.gates.first { $0.name == name }.map { (part.key, $0) } }
            guard let first = each.first?.1 else { continue }
            if each.allSatisfy({ $0.1.detail == first.detail && $0.1.passed == first.passed }) {
                gates.append(first)
            } else {
                gates += each.map { key, gate in Gate(name: name, passed: gate.passed, detail: "\(key): \(gate.detail)") }
            }
        }
        return gates
    }

    /// The one record of a promotion of several pipelines: each pipeline's hashes, and top-level
    /// hashes of the set (key and hash per line, keys sorted).
    public static func record(every outcomes: [PipelineOutcome]) throws(PipeOpsError) -> PromotionRecord {
        guard let first = outcomes.first, outcomes.allSatisfy({ $0.outcome.passed && $0.outcome.rendered != nil }) else {
            throw .message("promotion did not pass its gates for every pipeline")
        }
        var parts: [String: PromotionRecord.PipelineHashes] = [:]
        for part in outcomes { parts[part.key] = PromotionRecord.PipelineHashes(part.outcome.rendered!) }
        let fingerprint = { (field: (PromotionRecord.PipelineHashes) -> String) -> String in
            DefinitionHashes.sha256(Data(parts.keys.sorted().map { "\($0) \(field(parts[$0]!))\n" }.joined().utf8))
        }
        let context = first.context
        let repository = try GitRepository.discover(from: context.product.directory)
        let version: VersionInfo
        if let known = first.outcome.version {
            version = known
        } else {
            version = try VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        }
        var record = PromotionRecord(
            kind: .promotion, environment: first.outcome.to, commit: version.commit, version: version.version,
            structureSha256: fingerprint(\.structureSha256), definitionSha256: fingerprint(\.definitionSha256),
            recordedAt: Timestamp.string(), by: repository.userIdentity, execution: nil, from: first.outcome.from)
        record.codeSha256 = fingerprint(\.codeSha256)
        record.pipelines = parts
        try Ledger.append(record, in: repository)
        return record
    }
}
