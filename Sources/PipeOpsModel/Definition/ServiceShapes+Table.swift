extension ServiceShapes {
    /// The model from the table `scripts/gen-shapes.py` embeds (`ServiceShapesData.table`): a
    /// line per shape and a field per tab, read straight into definitions. Parsing the same model
    /// as JSON into a tree first was about 2 ms of every command that lints (15% of a scaffolded
    /// product's lint). A line that does not read as the generator writes it is left out; a test
    /// checks that the table is the embedded JSON's model, entry for entry.
    init(table bytes: UnsafeBufferPointer<UInt8>, source: String) {
        var lines = TableLines(bytes)
        let version = lines.next().flatMap { $0.first.map(TableLines.text) } ?? "0"
        let stepTypes = Set((lines.next() ?? []).map(TableLines.text))
        var definitions: [Definition] = []
        definitions.reserveCapacity(1024)
        while let fields = lines.next() {
            if let definition = Self.definition(fields) { definitions.append(definition) }
        }
        self.init(definitions: definitions, botocoreVersion: version, stepTypes: stepTypes, source: source)
    }

    /// One line's shape: name, kind, min, max, pattern, then what the kind has.
    static func definition(_ fields: [UnsafeBufferPointer<UInt8>]) -> Definition? {
        guard fields.count >= 6 else { return nil }
        var rest = fields[5...]
        func take() -> UnsafeBufferPointer<UInt8>? { rest.popFirst() }
        func count() -> Int? { take().flatMap { Int(TableLines.text($0)) } }
        /// `pairs` name-value pairs (nil when the line is short).
        func pairs(_ pairs: Int) -> [String: String]? {
            var found: [String: String] = [:]
            found.reserveCapacity(pairs)
            for _ in 0..<pairs {
                guard let key = take(), let value = take() else { return nil }
                let name = TableLines.text(key)
                if found[name] == nil { found[name] = TableLines.text(value) }
            }
            return found
        }
        let kind = TableLines.text(fields[1])
        let shape: Shape
        var memberPatterns: [String: String]?
        switch kind {
        case "s":
            guard let memberCount = count(), let members = pairs(memberCount), let requiredCount = count(),
                rest.count >= requiredCount
            else { return nil }
            let required = (0..<requiredCount).compactMap { _ in take().map(TableLines.text) }
            guard let documentedCount = count(), let documented = pairs(documentedCount) else { return nil }
            if documentedCount > 0 { memberPatterns = documented }
            shape = .structure(members: members, required: required)
        case "l", "m":
            guard let element = take().map(TableLines.text) else { return nil }
            shape = kind == "l" ? .list(element: element) : .map(value: element)
        default:
            guard let first = take() else { return nil }
            if TableLines.text(first) == "-" {
                shape = .scalar(type: kind, allowed: nil)
            } else {
                guard let valueCount = Int(TableLines.text(first)), rest.count >= valueCount else { return nil }
                shape = .scalar(type: kind, allowed: (0..<valueCount).compactMap { _ in take().map(TableLines.text) })
            }
        }
        let low = fields[2].isEmpty ? nil : Double(TableLines.text(fields[2]))
        let high = fields[3].isEmpty ? nil : Double(TableLines.text(fields[3]))
        return Definition(
            name: TableLines.text(fields[0]), shape: shape,
            limits: fields[2].isEmpty && fields[3].isEmpty ? nil : Limits(min: low, max: high),
            pattern: fields[4].isEmpty ? nil : TableLines.text(fields[4]), memberPatterns: memberPatterns)
    }
}

/// The lines of the table, each as its tab-separated fields (slices of the table's bytes).
struct TableLines {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func next() -> [UnsafeBufferPointer<UInt8>]? {
        guard let base = bytes.baseAddress, index < bytes.count else { return nil }
        var fields: [UnsafeBufferPointer<UInt8>] = []
        fields.reserveCapacity(16)
        var start = index
        while index < bytes.count {
            let byte = base[index]
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: "\t") {
                fields.append(UnsafeBufferPointer(start: base + start, count: index - start))
                start = index + 1
            }
            index += 1
        }
        fields.append(UnsafeBufferPointer(start: base + start, count: index - start))
        index += 1
        return fields
    }

    /// A field's text: `\\`, `\t`, `\n` and `\r` stand for a backslash, tab, newline and return.
    static func text(_ field: UnsafeBufferPointer<UInt8>) -> String {
        guard field.contains(UInt8(ascii: "\\")) else { return String(decoding: field, as: UTF8.self) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(field.count)
        var escaping = false
        for byte in field {
            if escaping {
                switch byte {
                case UInt8(ascii: "t"): unescaped.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): unescaped.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): unescaped.append(UInt8(ascii: "\r"))
                default: unescaped.append(byte)
                }
                escaping = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else {
                unescaped.append(byte)
            }
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}
