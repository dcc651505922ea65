import Foundation

/// The AWS API shapes that step Arguments and step properties follow, from botocore's models
/// (see `scripts/gen-shapes.py`).
public struct ServiceShapes: Sendable {
    public enum Shape: Sendable, Equatable {
        case structure(members: [String: String], required: [String])
        case list(element: String)
        case map(value: String)
        /// botocore scalar type (`string`, `integer`, `long`, `float`, `double`, `boolean`, `timestamp`, `blob`)
        /// and, for small string enums, the allowed values.
        case scalar(type: String, allowed: [String]?)
    }

    /// botocore's `min`/`max` of a shape: entries of a list or map, characters of a string, or
    /// the value of a number.
    public struct Limits: Sendable, Equatable {
        public var min: Double?
        public var max: Double?

        public func contains(_ value: Double) -> Bool { (min.map { value >= $0 } ?? true) && (max.map { value <= $0 } ?? true) }

        /// "1–100", "at least 1", "at most 10".
        public var phrase: String {
            func text(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value) }
            switch (min, max) {
            case let (low?, high?): return "\(text(low))–\(text(high))"
            case let (low?, nil): return "at least \(text(low))"
            case let (nil, high?): return "at most \(text(high))"
            case (nil, nil): return "any"
            }
        }
    }

    /// What a checker needs of one shape, found with one lookup instead of four, and linked to
    /// the entries of its members, element or values by position.
    package final class Entry: Sendable {
        package let name: String
        package let shape: Shape
        package let limits: Limits?
        package let pattern: String?
        /// Distinct per shape with a pattern (0..<patternCount), for per-lint answer memos.
        package let patternIndex: Int
        /// A list's element or a map's value: its entry's position (-1: none).
        package let element: Int
        /// A structure's member names, and beside each (for `member(_:)`) its shape name, its
        /// entry's position (-1: none) and its pattern.
        package let memberNames: [String]
        private let memberFacts: [(shape: String, entry: Int, pattern: String?)]

        /// The entry of `definition`, linked to its members', element's or values' entries by
        /// the positions `position` gives their names.
        init(_ definition: Definition, patternIndex: Int, position: (String) -> Int?) {
            var names: [String] = []
            var facts: [(shape: String, entry: Int, pattern: String?)] = []
            var element = -1
            switch definition.shape {
            case .structure(let members, _):
                names.reserveCapacity(members.count)
                facts.reserveCapacity(members.count)
                for (member, shape) in members {
                    names.append(member)
                    facts.append((shape, position(shape) ?? -1, definition.memberPatterns?[member]))
                }
            case .list(let name), .map(let name): element = position(name) ?? -1
            case .scalar: break
            }
            self.name = definition.name
            self.shape = definition.shape
            self.limits = definition.limits
            self.pattern = definition.pattern
            self.patternIndex = patternIndex
            self.element = element
            self.memberNames = names
            self.memberFacts = facts
        }

        /// A structure member's shape name, entry position and pattern. A linear search, lengths
        /// first: a structure has a few dozen members at most, and hashing each key of every
        /// step's arguments (SipHash) was a sixth of arguments-shape.
        @inline(__always)
        package func member(_ key: String) -> (shape: String, entry: Int, pattern: String?)? {
            let length = key.utf8.count
            for index in memberNames.indices where memberNames[index].utf8.count == length && memberNames[index] == key {
                return memberFacts[index]
            }
            return nil
        }
    }

    /// Every shape's entry, in the model's order (each built now if it was not yet).
    package var entries: [Entry] {
        if let table = store.lazy { return table.indices.compactMap(table.entry(at:)) }
        return store.built
    }

    /// Where the entries are: built when the model is made, or (the embedded table) built one by
    /// one as a lint first asks for each. A struct, not an enum with a payload per case: Swift
    /// keeps such an enum's case in the spare bits of its class pointer, and LeakSanitizer (the
    /// fuzz targets) then takes the table the global holds for a leak.
    struct Store: Sendable {
        /// Every entry, and where each name's entry is (empty when `lazy` holds them).
        var built: [Entry] = []
        var positions: [String: Int] = [:]
        var lazy: LazyTable?
    }

    let store: Store
    /// How many shapes have a pattern.
    package let patternCount: Int
    /// The botocore release the model was made from, e.g. "1.44.8".
    public let botocoreVersion: String
    /// Step types the service lists in its pipeline step metadata (PipelineExecutionStepMetadata).
    public let stepTypes: Set<String>
    /// Where the model came from: "embedded", or the file or interpreter it was read from.
    public private(set) var source: String

    /// The same model, named for where it came from.
    package func relabelled(_ source: String) -> ServiceShapes {
        var model = self
        model.source = source
        return model
    }

    /// The model built into pipeops (scripts/update-api-model.sh), read from its table (a test
    /// checks it reads as the same model as the embedded JSON). Each shape's entry is built when
    /// a lint first asks for it: building all 800 was a tenth of a fully cached rerun's
    /// instructions (callgrind), and a product's steps use a few dozen.
    public static let shared = ServiceShapes(lazyTable: Array(ServiceShapesData.table.utf8), source: "embedded")

    /// One shape as a model states it: its kind, botocore's `min`/`max`, its `pattern` (matched
    /// whole; kept only where it means something for a definition) and, for a structure, the
    /// patterns the API documentation states for members and the shape does not carry (such as
    /// ProcessingS3Input.LocalPath's /opt/ml/processing/).
    package struct Definition {
        var name: String
        var shape: Shape
        var limits: Limits?
        var pattern: String?
        var memberPatterns: [String: String]?
    }

    /// A model of `definitions`; a name defined twice keeps its first definition.
    package init(definitions: [Definition], botocoreVersion: String, stepTypes: Set<String>, source: String) {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(definitions.count)
        var kept: [Definition] = []
        kept.reserveCapacity(definitions.count)
        for definition in definitions where positions[definition.name] == nil {
            positions[definition.name] = kept.count
            kept.append(definition)
        }
        var table: [Entry] = []
        table.reserveCapacity(kept.count)
        var patternCount = 0
        for definition in kept {
            table.append(Entry(definition, patternIndex: definition.pattern == nil ? -1 : patternCount) { positions[$0] })
            if definition.pattern != nil { patternCount += 1 }
        }
        self.init(
            store: Store(built: table, positions: positions), patternCount: patternCount, botocoreVersion: botocoreVersion,
            stepTypes: stepTypes, source: source)
    }

    init(store: Store, patternCount: Int, botocoreVersion: String, stepTypes: Set<String>, source: String) {
        self.store = store
        self.patternCount = patternCount
        self.botocoreVersion = botocoreVersion
        self.stepTypes = stepTypes
        self.source = source
    }

    /// A model in the format `scripts/gen-shapes.py --json` writes.
    public init(json bytes: [UInt8], source: String) throws {
        self = try bytes.withUnsafeBufferPointer { try ServiceShapes(json: $0, source: source) }
    }

    init(json bytes: UnsafeBufferPointer<UInt8>, source: String) throws {
        let parsed = try? JSONParser.parse(bytes).0
        guard let parsed, let version = parsed["botocore"]?.string, let table = parsed["shapes"]?.members else {
            throw PipeOpsError.message(
                "\(source): not a SageMaker API model for pipeops (make one with 'python3 scripts/gen-shapes.py --json > FILE' where botocore is installed)"
            )
        }
        var definitions: [Definition] = []
        definitions.reserveCapacity(table.count)
        for member in table {
            let entry = member.value
            let shape: Shape
            switch entry["k"]?.string {
            case "s":
                let members = Dictionary(
                    (entry["m"]?.members ?? []).map { ($0.key, $0.value.string ?? "") }, uniquingKeysWith: { a, _ in a })
                shape = .structure(members: members, required: entry["r"]?.elements?.compactMap(\.string) ?? [])
            case "l": shape = .list(element: entry["e"]?.string ?? "")
            case "m": shape = .map(value: entry["e"]?.string ?? "")
            case let type?: shape = .scalar(type: type, allowed: entry["v"]?.elements?.compactMap(\.string))
            case nil: continue
            }
            let limits = entry["n"] != nil || entry["x"] != nil ? Limits(min: entry["n"]?.double, max: entry["x"]?.double) : nil
            let memberPatterns = entry["mp"]?.members.map { documented in
                Dictionary(documented.compactMap { item in item.value.string.map { (item.key, $0) } }, uniquingKeysWith: { a, _ in a })
            }
            definitions.append(
                Definition(name: member.key, shape: shape, limits: limits, pattern: entry["p"]?.string, memberPatterns: memberPatterns))
        }
        self.init(
            definitions: definitions, botocoreVersion: version,
            stepTypes: Set(parsed["stepTypes"]?.elements?.compactMap(\.string) ?? []), source: source)
    }

    /// Reads a model file (`scripts/gen-shapes.py --json`).
    public static func load(file path: String) throws -> ServiceShapes {
        guard let data = FileManager.default.contents(atPath: path) else { throw PipeOpsError.fileNotFound(path) }
        return try ServiceShapes(json: Array(data), source: path)
    }

    /// "botocore 1.44.8", as findings and summaries name the model.
    public var versionPhrase: String { "botocore \(botocoreVersion)" }

    /// The sentence a finding about something the model does not know ends with.
    public var updateHint: String {
        "pipeops knows the SageMaker API as of \(versionPhrase); if this is newer, lint with --api-model (see 'pipeops lint --help') or update pipeops"
    }

    /// Whether botocore version `a` is newer than `b` (numeric, component by component).
    public static func isNewer(_ a: String, than b: String) -> Bool {
        let left = a.split(separator: ".").map { Int($0) ?? 0 }
        let right = b.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(left.count, right.count) {
            let x = i < left.count ? left[i] : 0
            let y = i < right.count ? right[i] : 0
            if x != y { return x > y }
        }
        return false
    }

    /// Whether a literal string matches an entry's pattern (true when it has none, or the
    /// pattern is one this regular-expression engine cannot read), with answers kept in `memo` (one
    /// table per pattern, `patternCount` of them): a definition repeats its roles, paths and
    /// images in every step, and a regular expression is costly where a lookup is not.
    package static func matchesPattern(_ value: String, of entry: Entry, memo: inout [[String: Bool]]) -> Bool {
        guard let pattern = entry.pattern else { return true }
        guard memo.indices.contains(entry.patternIndex) else { return matches(value, pattern: pattern) }
        if let known = memo[entry.patternIndex][value] { return known }
        let result = matches(value, pattern: pattern)
        memo[entry.patternIndex][value] = result
        return result
    }

    /// Whether `value` matches `pattern` whole, as the service checks it: some way through the
    /// pattern reads all of it (true when neither engine can read the pattern).
    public static func matches(_ value: String, pattern: String) -> Bool {
        switch cache.compiled(pattern) {
        case .own(let own): return own.matches(value)
        case .icu(let expression):
            // Anchored at the start and, by \z, at the end: ICU then finds a whole match if any.
            return expression.firstMatch(in: value, options: [.anchored], range: NSRange(value.startIndex..., in: value)) != nil
        case .unreadable: return true
        }
    }

    private static let cache = PatternCache()

    public subscript(name: String) -> Shape? { entry(name)?.shape }

    /// A shape with its limits and patterns.
    package func entry(_ name: String) -> Entry? {
        if let table = store.lazy { return table.position(of: name).flatMap(table.entry(at:)) }
        return store.positions[name].map { store.built[$0] }
    }

    /// The entry at a position an entry links to (nil for -1).
    package func entry(at position: Int) -> Entry? {
        if let table = store.lazy { return table.entry(at: position) }
        return store.built.indices.contains(position) ? store.built[position] : nil
    }

    /// The request shape a step's `Arguments` mirror, and the members the SDK removes from it.
    public static func argumentsShape(for type: StepType) -> (shape: String, removed: Set<String>)? {
        type.kind?.arguments
    }
}

/// Compiled patterns, shared by every lint of the process (patterns are few, values many):
/// pipeops's own matcher, else ICU for a pattern it does not read.
private final class PatternCache: @unchecked Sendable {
    enum Compiled {
        case own(ShapePattern)
        case icu(NSRegularExpression)
        case unreadable
    }

    private let lock = NSLock()
    private var compiled: [String: Compiled] = [:]

    func compiled(_ pattern: String) -> Compiled {
        lock.lock()
        defer { lock.unlock() }
        if let known = compiled[pattern] { return known }
        let made: Compiled =
            if let own = ShapePattern(pattern) {
                .own(own)
            } else if let expression = try? NSRegularExpression(pattern: "(?:\(pattern))\\z") {
                .icu(expression)
            } else {
                .unreadable
            }
        compiled[pattern] = made
        return made
    }
}
