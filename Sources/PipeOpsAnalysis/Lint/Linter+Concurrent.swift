import Dispatch
import Foundation
import PipeOpsModel

/// Rules of one large document run on several cores.
///
/// Rules only read the document, the pipeline and the context; the context's shared answers
/// (graph, references, order) are made before the rules start and its resolution cache is
/// locked. Each rule's findings go to its own slot and are joined in the registry's order, so
/// the output is the same as one rule after another.
extension Linter {
    /// Documents below this size lint on one core: starting threads would cost more than it saves.
    static let concurrentBytes = 256 * 1024

    /// At most this many threads, whatever the machine has.
    static let maximumWorkers = 4

    static func workers(for document: Document) -> Int {
        guard document.byteCount >= concurrentBytes else { return 1 }
        return min(maximumWorkers, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Each rule's findings, in the order of `rules`.
    static func check(_ rules: [any Rule.Type], _ context: LintContext, workers: Int) -> [[Finding]] {
        guard workers > 1, rules.count > 1 else { return rules.map { check($0, context) } }
        context.prepareForSharing()
        let slots = Slots(count: rules.count)
        // Each worker takes the next rule not yet taken; the costliest rule is first in the registry.
        DispatchQueue.concurrentPerform(iterations: min(workers, rules.count)) { _ in
            while let index = slots.take() {
                slots.store(check(rules[index], context), at: index)
            }
        }
        return slots.results
    }

    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var results: [[Finding]]

        init(count: Int) {
            results = Array(repeating: [], count: count)
        }

        func take() -> Int? {
            lock.withLock {
                guard next < results.count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func store(_ findings: [Finding], at index: Int) {
            lock.withLock { results[index] = findings }
        }
    }
}
