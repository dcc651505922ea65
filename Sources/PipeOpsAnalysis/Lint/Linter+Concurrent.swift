import Foundation
import PipeOpsModel

/// Rules of one large document run on several cores.
///
/// Rules only read the document, the pipeline and the context; the context's shared answers
/// (graph, references, order) are made before the rules start and its resolution cache is
/// locked. Each rule's findings are joined in the registry's order, so the output is the same
/// as one rule after another.
extension Linter {
    /// Documents below this size lint on one core: starting threads would cost more than it saves.
    static let concurrentBytes = 256 * 1024

    static func workers(for document: Document) -> Int {
        document.byteCount >= concurrentBytes ? Concurrently.workers : 1
    }

    /// Each rule's findings, in the order of `rules` (the costliest rule is first in the registry).
    static func check(_ rules: [any Rule.Type], _ context: LintContext, workers: Int) -> [[Finding]] {
        if workers > 1 { context.prepareForSharing() }
        return Concurrently.map(rules.count, workers: workers) { check(rules[$0], context) }
    }
}
