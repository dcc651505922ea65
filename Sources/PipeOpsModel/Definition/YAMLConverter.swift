import Foundation
import Yams

/// Turns a composed Yams tree into `Node`s, resolving plain scalars with the YAML 1.2 core
/// schema (so `no` stays a string, as in JSON) and refusing alias bombs.
struct YAMLConverter {
    private struct Key: Hashable {
        var line: Int
        var column: Int
    }
    private var memo: [Key: (node: Node, size: Int)] = [:]
    private(set) var ambiguous: [(text: String, location: SourceLocation)] = []
    private var expanded = 0

    mutating func convert(_ yaml: Yams.Node) throws -> Node {
        let (node, _) = try convertCounting(yaml)
        return node
    }

    private mutating func convertCounting(_ yaml: Yams.Node) throws -> (Node, Int) {
        let mark = yaml.mark
        let location = SourceLocation(line: mark?.line ?? 1, column: mark?.column ?? 1)
        // An anchored node may be referenced again through aliases: convert it once and count
        // its expanded size each time it is used.
        let key = yaml.anchor != nil ? mark.map { Key(line: $0.line, column: $0.column) } : nil
        if let key, let cached = memo[key] {
            try account(cached.size, at: location)
            return cached
        }
        let result: (Node, Int)
        switch yaml {
        case .scalar(let scalar):
            try account(1, at: location)
            result = (Node(resolve(scalar, at: location), at: location), 1)
        case .sequence(let sequence):
            try account(1, at: location)
            var size = 1
            var elements: [Node] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                let (node, count) = try convertCounting(element)
                size += count
                elements.append(node)
            }
            result = (Node(.array(elements), at: location), size)
        case .mapping(let mapping):
            try account(1, at: location)
            var size = 1
            var members: [Node.Member] = []
            var merges: [Node] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    let at = keyNode.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? location
                    let kind: String
                    if case .mapping = keyNode { kind = "mapping" } else { kind = "sequence" }
                    throw SyntaxError("a mapping key must be a plain string, not a \(kind)", at: at)
                }
                let keyLocation = SourceLocation(
                    line: keyScalar.mark?.line ?? location.line, column: keyScalar.mark?.column ?? location.column)
                let (value, count) = try convertCounting(valueNode)
                size += count
                if keyScalar.string == "<<" && keyScalar.style == .plain {
                    merges.append(value)
                    continue
                }
                members.append(Node.Member(key: keyScalar.string, keyLocation: keyLocation, value: value))
            }
            for merge in merges {
                let sources = merge.elements ?? [merge]
                for source in sources {
                    guard let extra = source.members else {
                        throw SyntaxError("a merge key '<<' takes a mapping or a list of mappings", at: source.location)
                    }
                    for member in extra where !members.contains(where: { $0.key == member.key }) {
                        members.append(member)
                    }
                }
            }
            result = (Node(.object(members), at: location), size)
        case .alias:
            throw SyntaxError("unresolved YAML alias", at: location)
        }
        if let key { memo[key] = result }
        return result
    }

    private mutating func account(_ count: Int, at location: SourceLocation) throws {
        expanded += count
        if expanded > DocumentLoader.maximumExpandedValues {
            throw SyntaxError(
                "YAML aliases expand this document to more than \(DocumentLoader.maximumExpandedValues) values (an alias bomb?); remove the repeated aliases",
                at: location)
        }
    }

    private mutating func resolve(_ scalar: Yams.Node.Scalar, at location: SourceLocation) -> Node.Value {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N":
            ambiguous.append((text, location))
            return .string(text)
        default: break
        }
        guard let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= 0x30 && first <= 0x39)
        else { return .string(text) }
        if let int = YAMLConverter.integer(text) { return .integer(int) }
        if let digits = YAMLConverter.bigInteger(text) { return .bigInteger(digits) }
        if YAMLConverter.isFloat(text), let double = Double(text), double.isFinite { return .number(double) }
        return .string(text)
    }

    static func integer(_ text: String) -> Int? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        } else if body.hasPrefix("+") {
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        let value: Int?
        if body.hasPrefix("0x") {
            value = Int(body.dropFirst(2), radix: 16)
        } else if body.hasPrefix("0o") {
            value = Int(body.dropFirst(2), radix: 8)
        } else if body.allSatisfy({ $0.isASCII && $0.isNumber }) {
            value = Int(body)
        } else {
            value = nil
        }
        return value.map { negative ? -$0 : $0 }
    }

    /// A plain decimal integer too large for Int64, as canonical digits (no `+`, no leading zeros).
    static func bigInteger(_ text: String) -> String? {
        var body = Substring(text)
        var sign = ""
        if body.hasPrefix("-") {
            sign = "-"
            body = body.dropFirst()
        } else if body.hasPrefix("+") {
            body = body.dropFirst()
        }
        guard body.count > 18, body.count <= 4096, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = body.drop { $0 == "0" }
        return digits.isEmpty ? nil : sign + digits
    }

    static func isFloat(_ text: String) -> Bool {
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        var digits = 0
        while let c = chars.first, c.isASCII, c.isNumber {
            digits += 1
            chars = chars.dropFirst()
        }
        if chars.first == "." {
            chars = chars.dropFirst()
            while let c = chars.first, c.isASCII, c.isNumber {
                digits += 1
                chars = chars.dropFirst()
            }
        }
        guard digits > 0 else { return false }
        if chars.first == "e" || chars.first == "E" {
            chars = chars.dropFirst()
            if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
            guard let c = chars.first, c.isASCII, c.isNumber else { return false }
            while let c = chars.first, c.isASCII, c.isNumber { chars = chars.dropFirst() }
        }
        return chars.isEmpty
    }
}
