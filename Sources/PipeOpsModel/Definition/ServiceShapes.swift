import Foundation

/// The AWS API shapes that step Arguments and step properties follow, from botocore's models
/// (see `scripts/gen-shapes.py`).
public struct ServiceShapes: Sendable {
    public enum Shape: Sendable {
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

    public let shapes: [String: Shape]
    public let limits: [String: Limits]
    /// String patterns (botocore `pattern`, matched whole) that mean something for a definition.
    public let patterns: [String: String]
    /// Patterns of structure members that the API documentation states and the shape does not
    /// carry (structure → member → pattern), such as ProcessingS3Input.LocalPath's /opt/ml/processing/.
    public let memberPatterns: [String: [String: String]]
    /// The botocore release the model was made from, e.g. "1.44.8".
    public let botocoreVersion: String
    /// Step types the service lists in its pipeline step metadata (PipelineExecutionStepMetadata).
    public let stepTypes: Set<String>
    /// Where the model came from: "embedded", or the file or interpreter it was read from.
    public let source: String

    /// The model built into pipeops (scripts/update-api-model.sh), parsed on first use.
    public static let shared: ServiceShapes = {
        // The embedded text is generated and checked by a test; it always parses.
        // Read in place: the literal's UTF-8 is contiguous, so the 116 KB are not copied first.
        (try? ServiceShapesData.json.utf8.withContiguousStorageIfAvailable { try ServiceShapes(json: $0, source: "embedded") }
            ?? ServiceShapes(json: Array(ServiceShapesData.json.utf8), source: "embedded"))
            ?? ServiceShapes(shapes: [:], limits: [:], patterns: [:], botocoreVersion: "0", stepTypes: [], source: "embedded")
    }()

    package init(
        shapes: [String: Shape], limits: [String: Limits], patterns: [String: String], memberPatterns: [String: [String: String]] = [:],
        botocoreVersion: String, stepTypes: Set<String>, source: String
    ) {
        self.shapes = shapes
        self.limits = limits
        self.patterns = patterns
        self.memberPatterns = memberPatterns
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
        var shapes: [String: Shape] = [:]
        var limits: [String: Limits] = [:]
        var patterns: [String: String] = [:]
        var memberPatterns: [String: [String: String]] = [:]
        for member in table {
            let entry = member.value
            if entry["n"] != nil || entry["x"] != nil {
                limits[member.key] = Limits(min: entry["n"]?.double, max: entry["x"]?.double)
            }
            if let pattern = entry["p"]?.string { patterns[member.key] = pattern }
            if let documented = entry["mp"]?.members {
                memberPatterns[member.key] = Dictionary(
                    documented.compactMap { item in item.value.string.map { (item.key, $0) } }, uniquingKeysWith: { a, _ in a })
            }
            switch entry["k"]?.string {
            case "s":
                let members = Dictionary(
                    (entry["m"]?.members ?? []).map { ($0.key, $0.value.string ?? "") }, uniquingKeysWith: { a, _ in a })
                shapes[member.key] = .structure(members: members, required: entry["r"]?.elements?.compactMap(\.string) ?? [])
            case "l": shapes[member.key] = .list(element: entry["e"]?.string ?? "")
            case "m": shapes[member.key] = .map(value: entry["e"]?.string ?? "")
            case let type?: shapes[member.key] = .scalar(type: type, allowed: entry["v"]?.elements?.compactMap(\.string))
            case nil: break
            }
        }
        self.init(
            shapes: shapes, limits: limits, patterns: patterns, memberPatterns: memberPatterns, botocoreVersion: version,
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

    /// Whether a literal string matches a shape's pattern (true when the shape has none, or the
    /// pattern is one this regular-expression engine cannot read).
    public func matchesPattern(_ value: String, shape: String) -> Bool {
        guard let pattern = patterns[shape] else { return true }
        return Self.matches(value, pattern: pattern)
    }

    /// `matchesPattern` with answers kept in `memo`: a definition repeats its roles, paths and
    /// images in every step, and a regular expression is costly where a lookup is not.
    package func matchesPattern(_ value: String, shape: String, memo: inout [String: [String: Bool]]) -> Bool {
        guard patterns[shape] != nil else { return true }
        if let known = memo[shape]?[value] { return known }
        let result = matchesPattern(value, shape: shape)
        memo[shape, default: [:]][value] = result
        return result
    }

    /// Whether `value` matches `pattern` whole (true when this engine cannot read the pattern).
    public static func matches(_ value: String, pattern: String) -> Bool {
        guard let expression = cache.expression(for: pattern) else { return true }
        let range = NSRange(value.startIndex..., in: value)
        return expression.firstMatch(in: value, options: [.anchored], range: range).map { $0.range == range } ?? false
    }

    private static let cache = PatternCache()

    public subscript(name: String) -> Shape? { shapes[name] }

    /// The request shape a step's `Arguments` mirror, and the members the SDK removes from it.
    public static func argumentsShape(for type: StepType) -> (shape: String, removed: Set<String>)? {
        type.kind?.arguments
    }
}

/// Compiled patterns, shared by every lint of the process (patterns are few, values many).
private final class PatternCache: @unchecked Sendable {
    private let lock = NSLock()
    private var expressions: [String: NSRegularExpression?] = [:]

    func expression(for pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let known = expressions[pattern] { return known }
        let compiled = try? NSRegularExpression(pattern: "(?:\(pattern))")
        expressions[pattern] = compiled
        return compiled
    }
}
