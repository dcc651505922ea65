/// A 1-based position in a source file.
///
/// Stored as two 32-bit numbers: every parsed value and key carries one, so this halves what
/// positions cost a large definition (a 4 GB line is far beyond `DocumentLoader`'s limit).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    private var storedLine: UInt32
    private var storedColumn: UInt32

    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(clamping: newValue) }
    }

    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(clamping: newValue) }
    }

    public init(line: Int, column: Int) {
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    public static let start = SourceLocation(line: 1, column: 1)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.storedLine, lhs.storedColumn) < (rhs.storedLine, rhs.storedColumn)
    }

    public var description: String { "\(line):\(column)" }
}

/// A JSON-shaped tree that remembers where every value came from.
///
/// JSON and YAML documents both load into this tree, so rules, hashes and the engine never
/// care which syntax a user chose. Objects keep their key order and every key's own position.
public struct Node: Sendable {
    public enum Value: Sendable {
        case object([Member])
        case array([Node])
        case string(String)
        case integer(Int)
        /// A whole number beyond Int64, kept as its decimal digits (optional leading `-`) so it
        /// renders exactly; a Double would round it.
        case bigInteger(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public struct Member: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: Node

        public init(key: String, keyLocation: SourceLocation, value: Node) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation = .start) {
        self.value = value
        self.location = location
    }

    // MARK: Accessors

    /// Where `key` is among `members`. By index, so that only the match is copied (a `for member
    /// in` loop copies, and retains, every member it passes), and lengths first: a key's UTF-8
    /// length is stored in the string, and most keys passed differ from the one sought in length.
    @inline(__always)
    private static func position(of key: String, in members: [Member]) -> Int? {
        let length = key.utf8.count
        for index in members.indices where members[index].key.utf8.count == length && members[index].key == key { return index }
        return nil
    }

    public subscript(key: String) -> Node? {
        guard case .object(let members) = value, let index = Node.position(of: key, in: members) else { return nil }
        return members[index].value
    }

    /// Whether this is an object with `key`; nothing is copied.
    public func hasKey(_ key: String) -> Bool {
        guard case .object(let members) = value else { return false }
        return Node.position(of: key, in: members) != nil
    }

    public func member(_ key: String) -> Member? {
        guard case .object(let members) = value, let index = Node.position(of: key, in: members) else { return nil }
        return members[index]
    }

    public var members: [Member]? {
        if case .object(let members) = value { return members }
        return nil
    }

    public var elements: [Node]? {
        if case .array(let elements) = value { return elements }
        return nil
    }

    public var string: String? {
        if case .string(let string) = value { return string }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let bool) = value { return bool }
        return nil
    }

    public var int: Int? {
        switch value {
        case .integer(let int): return int
        case .number(let double) where double.rounded() == double && abs(double) < 9.0e15: return Int(double)
        default: return nil
        }
    }

    public var double: Double? {
        switch value {
        case .integer(let int): return Double(int)
        case .number(let double): return double
        case .bigInteger(let digits): return Double(digits)
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The JSON type name, as messages show it.
    public var typeName: String {
        switch value {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .integer, .bigInteger: return "integer"
        case .number: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }

    /// The latest position of any value in this subtree, used to find a step's source span.
    public var lastLocation: SourceLocation {
        var last = location
        var stack: [Node] = [self]
        while let node = stack.popLast() {
            if node.location > last { last = node.location }
            switch node.value {
            case .object(let members):
                for member in members {
                    if member.keyLocation > last { last = member.keyLocation }
                    stack.append(member.value)
                }
            case .array(let elements): stack.append(contentsOf: elements)
            default: break
            }
        }
        return last
    }

    /// A short rendering for messages: scalars as JSON, containers abbreviated.
    public var brief: String {
        switch value {
        case .object: return "{…}"
        case .array: return "[…]"
        case .string(let string): return "\"\(string.count > 60 ? String(string.prefix(57)) + "..." : string)\""
        case .integer(let int): return String(int)
        case .number(let double): return CanonicalJSON.format(double)
        case .bigInteger(let digits): return digits
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// Builds nodes without positions, for programmatic trees (tests, rendering).
extension Node: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self.init(.string(value)) }
    public init(integerLiteral value: Int) { self.init(.integer(value)) }
    public init(booleanLiteral value: Bool) { self.init(.bool(value)) }
    public init(floatLiteral value: Double) { self.init(.number(value)) }
    public init(arrayLiteral elements: Node...) { self.init(.array(elements)) }
    public init(object pairs: [(String, Node)]) {
        self.init(.object(pairs.map { Member(key: $0.0, keyLocation: .start, value: $0.1) }))
    }
}

/// A member for a tree built in code (no source position): reports, requests, records.
package func member(_ key: String, _ value: Node.Value) -> Node.Member {
    Node.Member(key: key, keyLocation: .start, value: Node(value))
}

extension Node: Equatable {
    /// Structural equality: positions and object key order do not matter.
    public static func == (lhs: Node, rhs: Node) -> Bool {
        switch (lhs.value, rhs.value) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            let right = Dictionary(b.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            return a.allSatisfy { member in right[member.key].map { $0 == member.value } ?? false }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.bigInteger(let a), .bigInteger(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Double(a) == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }
}
