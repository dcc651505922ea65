import Foundation
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

extension RunSession {
    /// The execution `run --changed` compares with: the last succeeded local run recorded in the
    /// ledger for the environment (or `--against ENV`'s), or the last one of `--base REV`.
    static func changedReference(_ changed: Request.Changed, request: Request, context: ProductContext?) throws(PipeOpsError) -> (
        record: ExecutionRecord, why: String
    ) {
        guard let context, let environment = changed.against ?? request.environment else {
            throw .invalidArgument("--changed needs --env ENV: its last succeeded run is the reference")
        }
        if changed.against != nil, !context.environmentNames.contains(environment) {
            throw .invalidArgument(
                "--against: unknown environment '\(environment)'\(Suggestion.didYouMean(environment, in: context.environmentNames))")
        }
        let repository = try GitRepository.discover(from: context.product.directory)
        let runs = try Ledger.records(in: repository).compactMap { $0.about(pipeline: context.manifest.selectedPipeline) }
            .filter { $0.kind == .smoke && $0.environment == environment && $0.execution != nil }
        var candidates = runs
        var why = "\(environment)'s last succeeded run"
        if let base = changed.base {
            guard let commit = try repository.commit(of: base) else {
                throw .invalidArgument("--base: '\(base)' names no commit of this repository")
            }
            candidates = runs.filter { $0.commit == commit }
            why = "\(environment)'s last succeeded run of \(base) (\(commit.prefix(7)))"
        }
        guard let latest = candidates.last, let id = latest.execution else {
            throw .message(
                "--changed has no reference: no succeeded local run of \(environment)\(changed.base.map { " at \($0)" } ?? "") is recorded in \(Ledger.notesRef); run the whole pipeline once (pipeops run --env \(environment))"
            )
        }
        let store = ExecutionStore(stateDirectory: Layout.state(context.product.directory))
        do {
            return (try store.load(id), why + ", \(latest.version)")
        } catch {
            throw .message(
                "--changed: the reference execution \(id) (\(why)) is not in this clone's .pipeops/executions; run the whole pipeline once here (pipeops run --env \(environment))"
            )
        }
    }
}
