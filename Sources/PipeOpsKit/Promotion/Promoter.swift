import Foundation

/// `pipeops promote`: gates, then render and record.
public enum Promoter {
    public struct Gate: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public struct Outcome: Sendable {
        public var from: String?
        public var to: String
        public var gates: [Gate]
        public var rendered: RenderedEnvironment?
        public var record: PromotionRecord?
        public var passed: Bool { gates.allSatisfy(\.passed) }
    }

    /// The gates, in the order they run and why:
    /// 1. lint — a definition or environment file with errors must never move on;
    /// 2. clean-tree — the record must name exactly what is promoted, which a dirty tree is not;
    /// 3. release-tag — production takes releases, and a tag is what names one;
    /// 4. previous-environment — the same structure (hash) must have passed the environment before;
    ///    it runs last because it is only meaningful for a clean, tagged, lint-free commit.
    public static let gateOrder = ["lint", "clean-tree", "release-tag", "previous-environment"]

    public static func promote(
        _ context: ProductContext, to target: String, from source: String?, requireTag: Bool = true,
        dryRun: Bool
    ) throws(PipeOpsError) -> Outcome {
        let environment = try context.environment(named: target)
        let from = source ?? context.previousEnvironment(before: target)
        if let from, !context.environmentNames.contains(from) {
            throw .invalidArgument(
                "unknown environment '\(from)' (pipeops.yaml defines: \(context.environmentNames.joined(separator: ", ")))")
        }
        let directory = context.product.directory
        let version = try VersionInfo.gather(from: directory, tagPrefix: context.manifest.tagPrefix)
        let repository = try GitRepository.discover(from: directory)
        let rendered = try Renderer.render(context, environment: environment, version: version)
        var gates: [Gate] = []

        let report = try LintSession.run(LintRequest(workingDirectory: directory))
        let errors = report.findings.filter { $0.severity == .error }
        gates.append(
            Gate(
                name: "lint", passed: errors.isEmpty,
                detail: errors.isEmpty
                    ? "no errors in \(report.files.count) files"
                    : "\(errors.count) error\(errors.count == 1 ? "" : "s"), first: \(errors[0].file):\(errors[0].location.line): \(errors[0].message)"
            ))

        gates.append(
            Gate(
                name: "clean-tree", passed: !version.dirty,
                detail: version.dirty
                    ? "\(version.changes.count) uncommitted change\(version.changes.count == 1 ? "" : "s") (\(version.changes.prefix(3).map(\.description).joined(separator: ", ")))"
                    : "working tree clean at \(version.shortCommit)"))

        let onRelease = version.tag != nil && version.distance == 0
        gates.append(
            Gate(
                name: "release-tag", passed: onRelease || !requireTag,
                detail: onRelease
                    ? "HEAD is release \(version.tag!)"
                    : requireTag
                        ? "HEAD is not on a release tag (\(version.describe)); run 'pipeops tag'"
                        : "not required (release.requireTag: false)"))

        if let from {
            let records = try Ledger.records(in: repository).filter { $0.environment == from }
            let matching = records.last { $0.structureSha256 == rendered.hashes.structure }
            if let matching {
                gates.append(
                    Gate(
                        name: "previous-environment", passed: true,
                        detail:
                            "\(from) ran structure \(rendered.hashes.structure.prefix(12)) (\(matching.kind.rawValue) of \(matching.version) at \(matching.recordedAt))"
                    ))
            } else if let latest = records.last {
                gates.append(
                    Gate(
                        name: "previous-environment", passed: false,
                        detail:
                            "\(from) last ran structure \(latest.structureSha256) but \(target) would get \(rendered.hashes.structure); promote or smoke-run this structure in \(from) first"
                    ))
            } else {
                gates.append(
                    Gate(
                        name: "previous-environment", passed: false,
                        detail:
                            "\(from) has no recorded promotion or smoke run; run 'pipeops promote --to \(from)' or 'pipeops run --env \(from)' first"
                    ))
            }
        } else {
            gates.append(Gate(name: "previous-environment", passed: true, detail: "\(target) is the first environment"))
        }

        var outcome = Outcome(from: from, to: target, gates: gates, rendered: rendered, record: nil)
        guard outcome.passed, !dryRun else { return outcome }
        let record = PromotionRecord(
            kind: .promotion, environment: target, commit: version.commit, version: version.version,
            structureSha256: rendered.hashes.structure, definitionSha256: rendered.hashes.content,
            recordedAt: Timestamp.string(), by: repository.userIdentity, execution: nil, from: from)
        try Ledger.append(record, in: repository)
        outcome.record = record
        return outcome
    }

    /// Records a successful smoke run of `environment` (called by `pipeops run --env`).
    public static func recordSmokeRun(_ context: ProductContext, environment name: String, execution: String) throws(PipeOpsError)
        -> PromotionRecord
    {
        let environment = try context.environment(named: name)
        let directory = context.product.directory
        let version = try VersionInfo.gather(from: directory, tagPrefix: context.manifest.tagPrefix)
        let repository = try GitRepository.discover(from: directory)
        let rendered = try Renderer.render(context, environment: environment, version: version)
        let record = PromotionRecord(
            kind: .smoke, environment: name, commit: version.commit, version: version.version,
            structureSha256: rendered.hashes.structure, definitionSha256: rendered.hashes.content,
            recordedAt: Timestamp.string(), by: repository.userIdentity, execution: execution, from: nil)
        try Ledger.append(record, in: repository)
        return record
    }

    /// Per environment, the latest record.
    public static func status(_ context: ProductContext) throws(PipeOpsError) -> [(environment: String, latest: PromotionRecord?)] {
        let repository = try GitRepository.discover(from: context.product.directory)
        let records = try Ledger.records(in: repository)
        return context.environmentNames.map { name in (name, records.last { $0.environment == name }) }
    }
}
