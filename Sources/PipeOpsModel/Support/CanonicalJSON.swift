import Foundation

/// Deterministic JSON text for hashing and for machine output.
///
/// Canonical form: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// integers in decimal, other numbers in Swift's shortest round-trip form, strings escaped
/// minimally (no `\/`). The same tree always gives the same bytes, whatever syntax it came from.
public enum CanonicalJSON {
    public static func string(_ node: Node, sortKeys: Bool = true, pretty: Bool = false) -> String {
        String(decoding: bytes(node, sortKeys: sortKeys, pretty: pretty), as: UTF8.self)
    }

    public static func data(_ node: Node, sortKeys: Bool = true, pretty: Bool = false) -> Data {
        Data(bytes(node, sortKeys: sortKeys, pretty: pretty))
    }

    /// The text as UTF-8, written byte by byte: appending to a `String` scalar by scalar cost
    /// ten times as much (a smoke run's two hashes of a small definition were 7 M instructions).
    public static func bytes(_ node: Node, sortKeys: Bool = true, pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(node, into: &out, sortKeys: sortKeys, pretty: pretty, indent: 0)
        return out
    }

    static func write(_ node: Node, into out: inout [UInt8], sortKeys: Bool, pretty: Bool, indent: Int) {
        switch node.value {
        case .object(let members):
            if members.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            let ordered = sortKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out.append(UInt8(ascii: "{"))
            for (i, member) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + 1) }
                quote(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, into: &out, sortKeys: sortKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            if elements.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + 1) }
                write(element, into: &out, sortKeys: sortKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .string(let string): quote(string, into: &out)
        case .integer(let int): out.append(contentsOf: String(int).utf8)
        case .number(let double): out.append(contentsOf: format(double).utf8)
        case .bigInteger(let digits): out.append(contentsOf: digits.utf8)
        case .bool(let bool): out.append(contentsOf: (bool ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// The number of Unicode scalars of the compact (unsorted) JSON text, without building it.
    /// Counting stops once the total passes `limit` (the result is then some value above it).
    public static func compactLength(_ node: Node, limit: Int = .max) -> Int {
        var total = 0
        var stack: [Node] = [node]
        while let next = stack.popLast(), total <= limit {
            switch next.value {
            case .object(let members):
                total += 2 + max(0, members.count - 1)
                for member in members {
                    total += quotedLength(member.key) + 1
                    stack.append(member.value)
                }
            case .array(let elements):
                total += 2 + max(0, elements.count - 1)
                stack.append(contentsOf: elements)
            case .string(let string): total += quotedLength(string)
            case .integer(let int): total += String(int).count
            case .number(let double): total += format(double).count
            case .bigInteger(let digits): total += digits.count
            case .bool(let bool): total += bool ? 4 : 5
            case .null: total += 4
            }
        }
        return total
    }

    private static func quotedLength(_ string: String) -> Int {
        var length = 2
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}": length += 2
            default: length += scalar.value < 0x20 ? 6 : 1
            }
        }
        return length
    }

    public static func format(_ double: Double) -> String {
        guard double.isFinite else { return "null" }
        return "\(double)"
    }

    public static func quote(_ string: String, into out: inout String) {
        var bytes: [UInt8] = []
        quote(string, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `string` quoted and escaped as UTF-8. Every byte of a scalar above U+007F is 0x80 or more,
    /// so escaping byte by byte escapes exactly the scalars that need it; a string with none is
    /// copied whole.
    static func quote(_ string: String, into out: inout [UInt8]) {
        func plain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") }
        out.append(UInt8(ascii: "\""))
        let copied = string.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.allSatisfy(plain) else { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if copied != true {
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func quoted(_ string: String) -> String {
        var out = ""
        quote(string, into: &out)
        return out
    }
}
