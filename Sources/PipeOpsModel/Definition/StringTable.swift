import Foundation

/// The strings of one parse, each made once: a definition repeats its keys on every step and
/// most of its longer values (image URIs, role ARNs, S3 prefixes, `Get` paths of execution
/// variables), and a shared Swift string costs a reference instead of a heap copy.
///
/// Keys are the parse buffer's own bytes, so a lookup allocates nothing; the table lives only
/// as long as its parser, while the buffer is valid.
struct StringTable {
    /// Swift keeps UTF-8 strings up to this length inside the value: nothing to share.
    static let inlineLength = 15
    /// Longer values are rarely repeated (scripts, JSON strings); they are made directly.
    static let longestShared = 512
    /// Past this many distinct strings the table stops growing, which bounds what a document
    /// of nothing but unique strings costs beyond its own values.
    static let capacity = 1 << 16

    private struct Bytes: Hashable {
        let start: UnsafePointer<UInt8>
        let count: Int

        static func == (lhs: Bytes, rhs: Bytes) -> Bool {
            lhs.count == rhs.count && memcmp(lhs.start, rhs.start, lhs.count) == 0
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(bytes: UnsafeRawBufferPointer(start: start, count: count))
        }
    }

    private var strings: [Bytes: String] = [:]

    /// The string of `bytes` (valid UTF-8), shared with every earlier occurrence.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > StringTable.inlineLength, bytes.count <= StringTable.longestShared, let start = bytes.baseAddress
        else { return String(decoding: bytes, as: UTF8.self) }
        let key = Bytes(start: start, count: bytes.count)
        if let shared = strings[key] { return shared }
        let string = String(decoding: bytes, as: UTF8.self)
        if strings.count < StringTable.capacity { strings[key] = string }
        return string
    }
}
