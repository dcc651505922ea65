import Foundation

/// Deterministic JSON text for hashing and for machine output.
///
/// Canonical form: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// integers in decimal, other numbers in Swift's shortest round-trip form, strings escaped
/// minimally (no `\/`). The same tree always gives the same bytes, whatever syntax it came from.
public enum CanonicalJSON {
    public static func string(_ node: Node, sortKeys: Bool = true, pretty: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(1024)
        write(node, into: &out, sortKeys: sortKeys, pretty: pretty, indent: 0)
        return out
    }

    public static func data(_ node: Node, sortKeys: Bool = true, pretty: Bool = false) -> Data {
        Data(string(node, sortKeys: sortKeys, pretty: pretty).utf8)
    }

    static func write(_ node: Node, into out: inout String, sortKeys: Bool, pretty: Bool, indent: Int) {
        switch node.value {
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            let ordered = sortKeys ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out += "{"
            for (i, member) in ordered.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                quote(member.key, into: &out)
                out += pretty ? ": " : ":"
                write(member.value, into: &out, sortKeys: sortKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "}"
        case .array(let elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                write(element, into: &out, sortKeys: sortKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "]"
        case .string(let string): quote(string, into: &out)
        case .integer(let int): out += String(int)
        case .number(let double): out += format(double)
        case .bigInteger(let digits): out += digits
        case .bool(let bool): out += bool ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
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
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    public static func quoted(_ string: String) -> String {
        var out = ""
        quote(string, into: &out)
        return out
    }
}
