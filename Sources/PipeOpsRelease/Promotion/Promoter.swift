import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

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
        /// What is promoted: HEAD's version, or the release `--rev` names.
        public var version: VersionInfo?
        public var passed: Bool { gates.allSatisfy(\.passed) }
    }

    /// The gates, in the order they run and why:
    /// 1. lint — a definition or environment file with errors must never move on;
    /// 2. clean-tree — the record must name exactly what is promoted, which a dirty tree is not;
    /// 3. release-tag — production takes releases, and a tag is what names one;
    /// 2. images — after the first environment, every image is pinned by digest (a tag can be
    ///    pushed again, and then the proof below would prove nothing);
    /// 3. clean-tree — the record must name exactly what is promoted, which a dirty tree is not;
    /// 4. release-tag — production takes releases, and a tag is what names one;
    /// 5. previous-environment — the same structure and the same code and images (hashes) must
    ///    have run in the environment before, as the evidence the target requires; it runs last
    ///    because it is only meaningful for a clean, tagged, lint-free commit.
    public static let gateOrder = ["lint", "images", "clean-tree", "release-tag", "previous-environment"]

    /// Images that must be pinned to render `rendered` for an environment after the first.
    public static func unpinnedImages(_ rendered: RenderedEnvironment) -> [ImageUse] {
        guard rendered.environment.order > 0 else { return [] }
        return rendered.artifacts.images.filter { ImageReference($0.reference)?.isPinned != true }
    }

    /// The `image-digest` errors for `unpinnedImages`, as findings in the definition.
    public static func imageFindings(_ rendered: RenderedEnvironment, definitionPath: String) -> [Finding] {
        unpinnedImages(rendered).map { use in
            let reference = ImageReference(use.reference)
            return Finding(
                rule: "image-digest", severity: .error,
                message:
                    "\(rendered.environment.name) comes after the first environment, so its images must be pinned: \(use.reference) is not (\(reference?.mutability ?? "not an image reference")); add \(reference?.repository ?? use.reference): sha256:… to images: in \(rendered.environment.filePath ?? "its environment file")",
                file: definitionPath, location: use.location)
        }
    }

    /// The previous-environment gate: did `from` run this structure with these artifacts, as
    /// evidence of the kind `rendered`'s environment requires?
    public static func previousEnvironmentGate(
        _ rendered: RenderedEnvironment, from: String, records all: [PromotionRecord]
    ) -> Gate {
        let target = rendered.environment
        let structure = rendered.hashes.structure
        let code = rendered.artifacts.sha256
        let inSource = all.flatMap(\.perPipeline).filter { $0.environment == from }
        let records = target.requiredEvidence == .sagemaker ? inSource.filter { $0.kind == .sagemaker } : inSource
        let required = target.requiredEvidence == .sagemaker ? "a SageMaker execution" : "a recorded promotion or run"
        let ranThis = { (record: PromotionRecord) in ranExactly(record, rendered) }
        if let matching = records.last(where: ranThis) {
            let place = matching.kind == .sagemaker ? " in \(matching.account ?? "?")/\(matching.region ?? "?")" : ""
            return Gate(
                name: "previous-environment", passed: true,
                detail:
                    "\(from) ran structure \(structure.prefix(12)) with code \(code.prefix(12))\(matching.imagesAreEvidence ? "" : matching.kind == .smoke ? " (images not compared: a local run runs none)" : " (images not compared: \(from) ran tags, which name no fixed image)") (\(matching.kind.rawValue)\(place) of \(matching.version) at \(matching.recordedAt))"
            )
        }
        if let sameStructure = records.last(where: { $0.structureSha256 == structure }) {
            let differences = sameStructure.artifactDifferences(from: rendered.artifacts)
            return Gate(
                name: "previous-environment", passed: false,
                detail:
                    "\(from) ran structure \(structure.prefix(12)) but other code or images than \(target.name) would get: \(differences.joined(separator: "; ")); run this code in \(from) first"
            )
        }
        if let latest = records.last {
            return Gate(
                name: "previous-environment", passed: false,
                detail:
                    "\(from) last ran structure \(latest.structureSha256) but \(target.name) would get \(structure); promote or smoke-run this structure in \(from) first"
            )
        }
        if target.requiredEvidence == .sagemaker {
            let others = inSource.map(\.kind.rawValue)
            let note = others.isEmpty ? "" : " (it has \(Set(others).sorted().joined(separator: " and ")) records, which do not count)"
            return Gate(
                name: "previous-environment", passed: false,
                detail:
                    "\(target.name) requires \(required) in \(from) (requireEvidence: sagemaker)\(note); run 'pipeops upsert --env \(from)' then 'pipeops start --env \(from) --wait'"
            )
        }
        return Gate(
            name: "previous-environment", passed: false,
            detail:
                "\(from) has no recorded promotion or smoke run; run 'pipeops promote --to \(from)' or 'pipeops run --env \(from)' first")
    }

    /// `release`: promote that revision (`promote --rev`, its files exported from git into
    /// `context`'s directory) instead of HEAD; every gate applies to it.
    public static func promote(
        _ context: ProductContext, to target: String, from source: String?, requireTag: Bool = true,
        dryRun: Bool, release: VersionInfo? = nil
    ) throws(PipeOpsError) -> Outcome {
        let environment = try context.environment(named: target)
        let from = source ?? context.previousEnvironment(before: target)
        if let from, !context.environmentNames.contains(from) {
            throw .invalidArgument(
                "unknown environment '\(from)' (pipeops.yaml defines: \(context.environmentNames.joined(separator: ", ")))")
        }
        let directory = context.product.directory
        let version: VersionInfo
        if let release {
            version = release
        } else {
            version = try VersionInfo.gather(from: directory, tagPrefix: context.manifest.tagPrefix)
        }
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

        let unpinned = imageFindings(rendered, definitionPath: context.definitionPath)
        gates.append(
            Gate(
                name: "images", passed: unpinned.isEmpty,
                detail: unpinned.isEmpty
                    ? (rendered.artifacts.images.isEmpty
                        ? "no images"
                        : environment.order == 0
                            ? "\(target) is the first environment; pins are not required"
                            : "\(rendered.artifacts.imageReferences.count) image\(rendered.artifacts.imageReferences.count == 1 ? "" : "s") pinned by digest")
                    : "\(unpinned.count) image\(unpinned.count == 1 ? "" : "s") not pinned, first: \(unpinned[0].compilerLine())"))

        gates.append(
            Gate(
                name: "clean-tree", passed: !version.dirty,
                detail: version.dirty
                    ? "\(version.changes.count) uncommitted change\(version.changes.count == 1 ? "" : "s") (\(version.changes.prefix(3).map(\.description).joined(separator: ", ")))"
                    : release != nil
                        ? "rendered from \(version.version)'s files in git (commit \(version.shortCommit)), not the working tree"
                        : "working tree clean at \(version.shortCommit)"))

        let onRelease = version.tag != nil && version.distance == 0
        gates.append(
            Gate(
                name: "release-tag", passed: onRelease || !requireTag,
                detail: onRelease
                    ? "\(release != nil ? "--rev" : "HEAD") is release \(version.tag!)"
                    : requireTag
                        ? "HEAD is not on a release tag (\(version.describe)); run 'pipeops tag'"
                        : "not required (release.requireTag: false)"))

        if let from {
            gates.append(previousEnvironmentGate(rendered, from: from, records: try Ledger.records(in: repository)))
        } else {
            gates.append(Gate(name: "previous-environment", passed: true, detail: "\(target) is the first environment"))
        }

        var outcome = Outcome(from: from, to: target, gates: gates, rendered: rendered, record: nil, version: version)
        guard outcome.passed, !dryRun else { return outcome }
        outcome.record = try record(outcome, in: context)
        return outcome
    }

    /// Records a promotion whose gates passed (`promote` does it at once; `promote --upsert`
    /// after the pipeline was published, so a failed upsert records nothing).
    public static func record(_ outcome: Outcome, in context: ProductContext) throws(PipeOpsError) -> PromotionRecord {
        guard outcome.passed, let rendered = outcome.rendered else { throw .message("promotion to \(outcome.to) did not pass its gates") }
        let repository = try GitRepository.discover(from: context.product.directory)
        let version: VersionInfo
        if let known = outcome.version {
            version = known
        } else {
            version = try VersionInfo.gather(from: context.product.directory, tagPrefix: context.manifest.tagPrefix)
        }
        var record = PromotionRecord(
            kind: .promotion, environment: outcome.to, commit: version.commit, version: version.version,
            structureSha256: rendered.hashes.structure, definitionSha256: rendered.hashes.content,
            recordedAt: Timestamp.string(), by: repository.userIdentity, execution: nil, from: outcome.from, artifacts: rendered.artifacts)
        record.pipeline = context.manifest.selectedPipeline
        try Ledger.append(record, in: repository)
        return record
    }

    /// Records a successful smoke run of `environment` (called by `pipeops run --env`).
    /// `environment` and `artifacts` are the run's own (resolved before it started), so an
    /// environment file or a code file edited during the run is not claimed as tested.
    public static func recordSmokeRun(
        _ context: ProductContext, environment: ResolvedEnvironment, execution: String, artifacts: ArtifactSet
    ) throws(PipeOpsError) -> PromotionRecord {
        let name = environment.name
        let directory = context.product.directory
        let version = try VersionInfo.gather(from: directory, tagPrefix: context.manifest.tagPrefix)
        let repository = try GitRepository.discover(from: directory)
        let hashes = try Renderer.shipped(context, environment: environment).hashes
        var record = PromotionRecord(
            kind: .smoke, environment: name, commit: version.commit, version: version.version,
            structureSha256: hashes.structure, definitionSha256: hashes.content,
            recordedAt: Timestamp.string(), by: repository.userIdentity, execution: execution, from: nil, artifacts: artifacts)
        record.pipeline = context.manifest.selectedPipeline
        try Ledger.append(record, in: repository)
        return record
    }

    /// Records a succeeded SageMaker execution of `rendered` as evidence (`pipeops start --wait`).
    public static func recordSageMakerRun(
        _ context: ProductContext, rendered: RenderedEnvironment, executionArn: String, version: VersionInfo
    ) throws(PipeOpsError) -> PromotionRecord {
        let repository = try GitRepository.discover(from: context.product.directory)
        let parts = executionArn.split(separator: ":", omittingEmptySubsequences: false)
        var record = PromotionRecord(
            kind: .sagemaker, environment: rendered.environment.name, commit: version.commit, version: version.version,
            structureSha256: rendered.hashes.structure, definitionSha256: rendered.hashes.content, recordedAt: Timestamp.string(),
            by: repository.userIdentity, execution: executionArn, from: nil, artifacts: rendered.artifacts,
            account: parts.count > 4 ? String(parts[4]) : nil, region: parts.count > 3 ? String(parts[3]) : nil)
        record.pipeline = context.manifest.selectedPipeline
        try Ledger.append(record, in: repository)
        return record
    }

    public struct Status: Sendable {
        public var environment: String
        public var requiredEvidence: Manifest.Evidence
        /// The latest record of any kind.
        public var latest: PromotionRecord?
        /// The latest run there: local smoke run or SageMaker execution.
        public var latestRun: PromotionRecord?
        /// The latest SageMaker execution there.
        public var latestSageMaker: PromotionRecord?
        /// The release promoted there before the current one (what a rollback returns to).
        public var previous: PromotionRecord?
    }

    /// Whether `record` ran exactly what `rendered` ships: structure, code files and pinned images.
    /// A local run runs no image (steps are host processes) and a tag names no fixed image: such
    /// records are evidence for structure and code only. The one identity check of the gates and
    /// of `diff --recorded`.
    public static func ranExactly(_ record: PromotionRecord, _ rendered: RenderedEnvironment) -> Bool {
        record.structureSha256 == rendered.hashes.structure && record.codeFiles == rendered.artifacts.files.mapValues(\.sha256)
            && (!record.imagesAreEvidence || Set(record.images ?? []) == Set(rendered.artifacts.imageReferences))
    }

    /// What differs between a record and a rendering (`diff --recorded`).
    public static func compare(_ record: PromotionRecord, with rendered: RenderedEnvironment) -> (
        sameStructure: Bool, identical: Bool, differences: [String]
    ) {
        let differences = record.artifactDifferences(from: rendered.artifacts, limit: 10_000)
            .filter { !$0.hasPrefix("this record predates") || record.codeFiles == nil }
        return (record.structureSha256 == rendered.hashes.structure, ranExactly(record, rendered), differences)
    }

    /// Per environment, the latest record and the evidence it has.
    public static func status(_ context: ProductContext) throws(PipeOpsError) -> [Status] {
        let repository = try GitRepository.discover(from: context.product.directory)
        let records = try Ledger.records(in: repository)
        return context.manifest.environments.map { entry in
            let here = records.filter { $0.environment == entry.name }
            let promotions = here.filter { $0.kind == .promotion }
            let previous = promotions.last.flatMap { current in promotions.last { $0.commit != current.commit } }
            return Status(
                environment: entry.name, requiredEvidence: entry.requiredEvidence, latest: here.last,
                latestRun: here.last { $0.kind != .promotion }, latestSageMaker: here.last { $0.kind == .sagemaker }, previous: previous)
        }
    }
}
