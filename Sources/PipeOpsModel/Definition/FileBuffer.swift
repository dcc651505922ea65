import Foundation

/// A large file's bytes in pages of their own (an anonymous mapping), so that the part a parse
/// has passed can be handed back to the system while the rest is still being parsed: a large
/// definition's bytes and its tree are then never both whole in memory (for the 32 MB
/// definition of 10,000 indented steps, the bytes were a third of the lint's peak).
///
/// Anonymous rather than a mapping of the file itself: a file that shrinks under a mapping
/// kills the process with SIGBUS, and one that changes changes the bytes mid-parse.
final class FileBuffer: @unchecked Sendable {
    private var base: UnsafeMutableRawPointer
    /// The mapped length, a whole number of pages.
    private var capacity: Int
    private(set) var count = 0
    /// Bytes below this (a whole number of pages) are handed back and read as zeros.
    private(set) var released = 0

    static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

    /// A buffer for `capacity` bytes; nil when the system has no memory to map.
    init?(capacity: Int) {
        let length = FileBuffer.pages(for: max(capacity, 1))
        guard let mapped = FileBuffer.map(length) else { return nil }
        base = mapped
        self.capacity = length
    }

    deinit { munmap(base, capacity) }

    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Reads `descriptor` to its end, or to `limit` bytes, growing the buffer (by doubling) only
    /// if the file is longer than the buffer was made for. Returns the `errno` of a failed read.
    func fill(from descriptor: Int32, limit: Int) -> Int32? {
        while true {
            if count == capacity {
                guard capacity < limit else { return nil }
                let wider = FileBuffer.pages(for: min(capacity * 2, limit))
                guard let mapped = FileBuffer.map(wider) else { return ENOMEM }
                mapped.copyMemory(from: base, byteCount: count)
                munmap(base, capacity)
                base = mapped
                capacity = wider
            }
            let read = Foundation.read(descriptor, base + count, min(capacity, limit) - count)
            if read > 0 {
                count += read
            } else if read == 0 {
                return nil
            } else if errno != EINTR {
                return errno
            }
            if count >= limit { return nil }
        }
    }

    /// Hands back the whole pages below `offset`; nothing may read them afterwards.
    func release(below offset: Int) {
        let end = min(offset, count) / FileBuffer.pageSize * FileBuffer.pageSize
        guard end > released else { return }
        _ = madvise(base + released, end - released, Int32(MADV_DONTNEED))
        released = end
    }

    /// How many of the first `length` bytes' pages are resident (for tests).
    func residentPages(inFirst length: Int) -> Int {
        let pageCount = FileBuffer.pages(for: min(length, capacity)) / FileBuffer.pageSize
        var vector = [UInt8](repeating: 0, count: pageCount)
        guard mincore(base, pageCount * FileBuffer.pageSize, &vector) == 0 else { return -1 }
        return vector.reduce(0) { $0 + Int($1 & 1) }
    }

    private static func pages(for length: Int) -> Int {
        (length + pageSize - 1) / pageSize * pageSize
    }

    private static func map(_ length: Int) -> UnsafeMutableRawPointer? {
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        // Huge pages where the system offers them on request: a 30 MB read then takes 15 page
        // faults instead of 7,500. Handing back part of a huge page splits it; nothing else changes.
        _ = madvise(mapped, length, Int32(MADV_HUGEPAGE))
        return mapped
    }
}

/// How much of a large file its parse has handed back, and the place where what is kept starts:
/// an invalid byte found later is placed by counting from there, not from the file's start.
///
/// Used from the parsing thread only. The pages handed back end at a place the parse told (so
/// its line and column are known) that the byte checks have passed too.
final class ReleasedPrefix {
    private var anchor = (offset: 0, location: SourceLocation.start)
    /// Places the parse passed that the byte checks had not reached yet.
    private var pending: [(offset: Int, location: SourceLocation)] = []

    func parsed(to offset: Int, at location: SourceLocation, checked: Int, _ buffer: FileBuffer) {
        pending.append((offset, location))
        guard let last = pending.lastIndex(where: { $0.offset <= checked }) else { return }
        anchor = pending[last]
        pending.removeFirst(last + 1)
        buffer.release(below: anchor.offset)
    }

    /// The line and column of `offset`, which lies at or after every place handed back.
    func location(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        if anchor.offset == 0 { return DocumentLoader.location(ofByte: offset, in: bytes) }
        var position = TextPosition(anchor.location)
        position.advance(over: bytes, from: anchor.offset, to: offset)
        return position.location
    }
}
