import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `start --changed`: a selective execution of what changed since the environment's last
/// succeeded SageMaker execution recorded in the ledger, with that execution as the source.
extension StartUseCase {
    public struct ChangedSelection: Sendable {
        /// The steps to run (changed ones and everything downstream), nil: nothing changed.
        public var steps: [String]
        public var source: String
        /// Why each selected step runs.
        public var reasons: [(step: String, why: String)]
        public var everything: Bool
    }

    /// The steps whose rendered step differs from the reference commit's rendering of the same
    /// environment (arguments, content-addressed code, images, parameters they read), and their
    /// descendants.
    static func changedSelection(_ context: ProductContext, environment: ResolvedEnvironment) throws(PipeOpsError) -> ChangedSelection {
        let repository = try GitRepository.discover(from: context.product.directory)
        let records = try Ledger.records(in: repository).compactMap { $0.about(pipeline: context.manifest.selectedPipeline) }
        guard let reference = records.last(where: { $0.kind == .sagemaker && $0.environment == environment.name }),
            let arn = reference.execution
        else {
            throw .message(
                "start --changed has no reference: no succeeded SageMaker execution of \(environment.name) is recorded in \(Ledger.notesRef); start the whole pipeline once with --wait"
            )
        }
        let head = try Renderer.render(context, environment: environment, version: nil)
        let past = try context.atCommit(reference.commit)
        let before = try Renderer.render(past, environment: try past.environment(named: environment.name), version: nil)
        // Each step and parameter by name, with its canonical text for a quick comparison.
        func byName(_ list: Node?) -> [String: (text: String, node: Node)] {
            Dictionary(
                DeploymentDifference.named(list).map { ($0.0, (CanonicalJSON.string($0.1, sortKeys: true), $0.1)) },
                uniquingKeysWith: { $1 })
        }
        let now = byName(head.definition["Steps"])
        let then = byName(before.definition["Steps"])
        let oldParameters = byName(before.definition["Parameters"])
        let changedParameters = byName(head.definition["Parameters"]).filter { oldParameters[$0.key]?.text != $0.value.text }.map(\.key)
        let graph = DependencyGraph(pipeline: context.pipeline)
        var reasons: [(step: String, why: String)] = []
        var selected: Set<Int> = []
        for step in context.pipeline.steps where step.forEachParent == nil {
            guard let current = now[step.name] else { continue }
            let text = current.text
            var why: String?
            if let before = then[step.name], before.text != text {
                let changes = NodeDiff.changes(before.node, current.node).map { $0.path.isEmpty ? "the step" : $0.path }
                why =
                    "its definition changed since \(reference.version): " + changes.prefix(4).joined(separator: ", ")
                    + (changes.count > 4 ? " and \(changes.count - 4) more" : "")
            } else if then[step.name] == nil {
                why = "new since \(reference.version)"
            } else if let parameter = changedParameters.first(where: { text.contains("\"Parameters.\($0)\"") }) {
                why = "it reads parameter \(parameter), whose value changed since \(reference.version)"
            }
            if let why {
                selected.insert(step.index)
                reasons.append((step.name, why))
            }
        }
        for index in selected { selected.formUnion(graph.descendants(of: index)) }
        for index in selected.sorted() where !reasons.contains(where: { $0.step == context.pipeline.steps[index].name }) {
            reasons.append((context.pipeline.steps[index].name, "a step it depends on runs"))
        }
        let names = context.pipeline.steps.filter { selected.contains($0.index) && $0.forEachParent == nil }.map(\.name)
        let all = context.pipeline.steps.filter { $0.forEachParent == nil }.count
        return ChangedSelection(steps: names, source: arn, reasons: reasons, everything: names.count == all)
    }
}
