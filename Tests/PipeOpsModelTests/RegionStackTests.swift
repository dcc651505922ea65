import Foundation
import Testing

@testable import PipeOpsModel

/// The parser's open-container stack moves entries out instead of copying them, by hand: every
/// entry must end up in exactly one place and be destroyed exactly once.
@Suite struct RegionStackTests {
    /// Counts the instances alive, so a leaked or doubly destroyed entry shows.
    final class Tracked {
        nonisolated(unsafe) static var alive = 0
        let value: Int
        init(_ value: Int) {
            self.value = value
            Tracked.alive += 1
        }
        deinit { Tracked.alive -= 1 }
    }

    @Test func regionsMoveOutInOrderAndEveryEntryIsDestroyedOnce() {
        let before = Tracked.alive
        do {
            var stack = RegionStack<Tracked>(capacity: 2)
            // Grows past its first capacity several times while regions are open.
            for value in 0..<5 { stack.push(Tracked(value)) }
            let base = stack.count
            for value in 5..<40 { stack.push(Tracked(value)) }
            let inner = stack.popRegion(from: base)
            #expect(inner.map(\.value) == Array(5..<40))
            #expect(stack.count == 5)
            #expect(stack.popRegion(from: stack.count).isEmpty)
            stack.remove(at: 1)
            #expect(stack.firstIndex(from: 0, where: { $0.value == 2 }) == 1)
            #expect(stack.firstIndex(from: 2, where: { $0.value == 2 }) == nil)
            #expect(stack[0].value == 0 && stack[3].value == 4)
            let outer = stack.popRegion(from: 0)
            #expect(outer.map(\.value) == [0, 2, 3, 4])
            // What is still open when a parse stops (a syntax error) is destroyed by release.
            for value in 100..<110 { stack.push(Tracked(value)) }
            stack.release()
            #expect(Tracked.alive == before + inner.count + outer.count)
        }
        #expect(Tracked.alive == before)
    }
}
