import Dispatch
import Foundation

/// Work over a large definition spread on the machine's cores, results in order.
package enum Concurrently {
    /// The threads a large piece of work uses: the machine's cores, at most 4.
    package static var workers: Int { min(4, ProcessInfo.processInfo.activeProcessorCount) }

    /// `transform` of 0..<count, in order, on up to `workers` threads; each thread takes the
    /// next index not yet taken, so uneven items (rules) balance as well as even ones (steps).
    /// `transform` must depend on its index alone.
    package static func map<T: Sendable>(_ count: Int, workers: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let threads = min(workers, count)
        guard threads > 1 else { return (0..<count).map(transform) }
        var results = [T?](repeating: nil, count: count)
        let counter = Counter()
        results.withUnsafeMutableBufferPointer { buffer in
            // Each index is taken by one thread only, so no two threads write one slot.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while case let index = counter.take(), index < count { slots[index] = transform(index) }
            }
        }
        return results.map { $0! }
    }

    /// The next index not yet taken.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0

        func take() -> Int {
            lock.withLock {
                defer { next += 1 }
                return next
            }
        }
    }
}
