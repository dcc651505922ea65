import Dispatch
import Foundation

/// Work over a large definition spread on the machine's cores, results in order.
package enum Concurrently {
    /// At most this many threads, whatever the machine has.
    package static let maximumWorkers = 4

    /// `transform` of 0..<count in order; on several threads when count reaches `minimum`.
    /// `transform` must depend on its index alone.
    package static func map<T: Sendable>(_ count: Int, minimum: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let workers = min(maximumWorkers, ProcessInfo.processInfo.activeProcessorCount, count)
        guard count >= minimum, workers > 1 else { return (0..<count).map(transform) }
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each worker writes its own contiguous range of slots: no two share one.
            nonisolated(unsafe) let slots = buffer
            let chunk = (count + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in (worker * chunk)..<min(count, (worker + 1) * chunk) { slots[index] = transform(index) }
            }
        }
        return results.map { $0! }
    }
}
