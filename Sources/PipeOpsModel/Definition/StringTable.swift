import Foundation

/// The strings of one parse, each made once: a definition repeats its keys on every step and
/// most of its longer values (image URIs, role ARNs, S3 prefixes, `Get` paths of execution
/// variables), and a shared Swift string costs a reference instead of a heap copy.
///
/// A lookup compares the parse buffer's bytes with each candidate string's own UTF-8, so it
/// allocates nothing and keeps no pointer into the buffer, whose pages a large file's parse
/// hands back as it passes them (`FileBuffer`). It is an open-addressing table with a
/// word-at-a-time hash rather than a `Dictionary`: SipHash over every string of a large
/// definition was an eighth of its parse.
struct StringTable {
    /// Swift keeps UTF-8 strings up to this length inside the value: nothing to share.
    static let inlineLength = 15
    /// Longer values are rarely repeated (scripts, JSON strings); they are made directly.
    static let longestShared = 512
    /// Past this many distinct strings the table stops growing, which bounds what a document
    /// of nothing but unique strings costs beyond its own values.
    static let capacity = 1 << 16
    /// A lookup gives up (and makes the string unshared) after this many occupied slots, so
    /// a document crafted to collide costs a bounded number of comparisons per string.
    static let longestProbe = 32

    private struct Entry {
        let count: Int
        let hash: UInt64
        let string: String

        /// Whether the string is these bytes. Strings this table makes are native, so their
        /// UTF-8 is contiguous; any other answer is "no", which only costs sharing.
        @inline(__always)
        func holds(_ start: UnsafePointer<UInt8>) -> Bool {
            string.utf8.withContiguousStorageIfAvailable { own in memcmp(own.baseAddress!, start, count) == 0 } ?? false
        }
    }

    private var entries: [Entry] = []
    /// 1 + the entry's index, or 0 for an empty slot; always a power of two long, at most half full.
    private var slots: [Int32] = []
    /// Per process, so which strings collide cannot be known from outside.
    private static let seed = UInt64.random(in: .min ... .max) | 1

    /// The string of `bytes` (valid UTF-8), shared with every earlier occurrence.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > StringTable.inlineLength, bytes.count <= StringTable.longestShared, let start = bytes.baseAddress
        else { return String(decoding: bytes, as: UTF8.self) }
        if slots.isEmpty { slots = Array(repeating: 0, count: 1024) }
        let hash = StringTable.hash(start, bytes.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<StringTable.longestProbe {
            let occupant = Int(slots[slot])
            if occupant == 0 {
                let string = String(decoding: bytes, as: UTF8.self)
                guard entries.count < StringTable.capacity else { return string }
                entries.append(Entry(count: bytes.count, hash: hash, string: string))
                slots[slot] = Int32(entries.count)
                if entries.count * 2 > slots.count { grow() }
                return string
            }
            let entry = entries[occupant - 1]
            if entry.hash == hash, entry.count == bytes.count, entry.holds(start) { return entry.string }
            slot = (slot + 1) & mask
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func grow() {
        var wider = [Int32](repeating: 0, count: slots.count * 2)
        let mask = wider.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while wider[slot] != 0 { slot = (slot + 1) & mask }
            wider[slot] = Int32(index + 1)
        }
        slots = wider
    }

    /// A multiply-mix over 8-byte words (the last word overlapping), seeded per process.
    private static func hash(_ start: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(start)
        var state = seed ^ (UInt64(count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= count {
            state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < count { state = mix(state ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) }
        return mix(state)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0xBF58_476D_1CE4_E5B9)
        return product.high ^ product.low
    }
}
