import Foundation
import Synchronization

extension ServiceShapes {
    /// The model of a table in `scripts/gen-shapes.py`'s format whose entries are built one by one
    /// as they are first asked for (see `LazyTable`); a table that the lazy reading does not
    /// take (names out of order, or escaped) is read whole, as `init(table:)` reads it.
    init(lazyTable bytes: [UInt8], source: String) {
        guard let table = LazyTable(bytes) else {
            self = bytes.withUnsafeBufferPointer { ServiceShapes(table: $0, source: source) }
            return
        }
        self.init(
            store: Store(lazy: table), patternCount: table.patternCount, botocoreVersion: table.version, stepTypes: table.stepTypes,
            source: source)
    }
}

/// A table whose lines are found when it is made and read when their entries are first asked
/// for. Making it reads only the head of each line (name to pattern, for the name's place and the
/// pattern's index) and jumps to the next line; a name is found by binary search, since the
/// generator writes the names in order. Each entry is built at most once per thread that races
/// for it, and every thread gets the one stored first.
final class LazyTable: Sendable {
    /// One shape's line: where it starts, where its name ends and where it ends (byte offsets),
    /// and its pattern's index (-1: none).
    private struct Line {
        let start: Int32
        let nameEnd: Int32
        let end: Int32
        let patternIndex: Int32
    }

    /// Where one line's entry is kept once built.
    private final class Slot: Sendable {
        let entry = AtomicLazyReference<ServiceShapes.Entry>()
    }

    private let bytes: [UInt8]
    private let lines: [Line]
    private let slots: [Slot]
    let version: String
    let stepTypes: Set<String>
    let patternCount: Int

    /// The table's lines; nil when its names are not in strictly ascending byte order or one is
    /// escaped (binary search could not find them as written).
    init?(_ bytes: [UInt8]) {
        var lines: [Line] = []
        var patternCount = 0
        let head: (version: String, stepTypes: Set<String>)? = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count < Int(Int32.max) else { return nil }
            var reader = TableLines(buffer)
            guard let first = reader.next(), let second = reader.next() else { return nil }
            let head = (first.first.map(TableLines.text) ?? "0", Set(second.map(TableLines.text)))
            lines.reserveCapacity(1024)
            var index = reader.index
            var previous: (start: Int, end: Int)?
            while index < buffer.count {
                let start = index
                // The head: name, kind, min, max, pattern (five tabs end them; the name ends at
                // the first, the pattern lies between the fourth and the fifth).
                var tabs = 0
                var (nameEnd, patternStart, patternEnd) = (0, 0, 0)
                while index < buffer.count, base[index] != UInt8(ascii: "\n"), tabs < 5 {
                    if base[index] == UInt8(ascii: "\t") {
                        tabs += 1
                        switch tabs {
                        case 1: nameEnd = index
                        case 4: patternStart = index + 1
                        case 5: patternEnd = index
                        default: break
                        }
                    }
                    index += 1
                }
                let rest = buffer.count - index
                let newline = rest > 0 ? memchr(base + index, Int32(UInt8(ascii: "\n")), rest) : nil
                let end = newline.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? buffer.count
                index = end + 1
                // A line of fewer than six fields is left out, as `init(table:)` leaves it out.
                guard tabs == 5 else { continue }
                let name = UnsafeBufferPointer(rebasing: buffer[start..<nameEnd])
                guard !name.isEmpty, !name.contains(UInt8(ascii: "\\")) else { return nil }
                if let previous, Self.compare(UnsafeBufferPointer(rebasing: buffer[previous.start..<previous.end]), name) >= 0 {
                    return nil
                }
                previous = (start, nameEnd)
                let hasPattern = patternEnd > patternStart
                lines.append(
                    Line(
                        start: Int32(start), nameEnd: Int32(nameEnd), end: Int32(end),
                        patternIndex: hasPattern ? Int32(patternCount) : -1))
                if hasPattern { patternCount += 1 }
            }
            return head
        }
        guard let head else { return nil }
        self.bytes = bytes
        self.lines = lines
        self.slots = lines.map { _ in Slot() }
        self.version = head.version
        self.stepTypes = head.stepTypes
        self.patternCount = patternCount
    }

    var indices: Range<Int> { lines.indices }

    /// The position of the line that defines `name`.
    func position(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { key in
            bytes.withUnsafeBufferPointer { buffer in
                var low = 0
                var high = lines.count
                while low < high {
                    let middle = (low + high) / 2
                    let line = lines[middle]
                    let order = Self.compare(UnsafeBufferPointer(rebasing: buffer[Int(line.start)..<Int(line.nameEnd)]), key)
                    if order == 0 { return middle }
                    if order < 0 { low = middle + 1 } else { high = middle }
                }
                return nil
            }
        }
    }

    /// The entry of the line at `position`, built if it was not yet (nil: no such line, or one that
    /// does not read as the generator writes it).
    func entry(at position: Int) -> ServiceShapes.Entry? {
        guard lines.indices.contains(position) else { return nil }
        if let built = slots[position].entry.load() { return built }
        let line = lines[position]
        let definition = bytes.withUnsafeBufferPointer { buffer in
            var reader = TableLines(UnsafeBufferPointer(rebasing: buffer[Int(line.start)..<Int(line.end)]))
            return reader.next().flatMap(ServiceShapes.definition)
        }
        guard let definition else { return nil }
        let entry = ServiceShapes.Entry(definition, patternIndex: Int(line.patternIndex)) { self.position(of: $0) }
        return slots[position].entry.storeIfNil(entry)
    }

    /// Byte order of two names: negative, zero or positive.
    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(a.count, b.count)
        if shared > 0, let left = a.baseAddress, let right = b.baseAddress {
            let order = memcmp(left, right, shared)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }
}
