/// One pipeline expression, parsed from the JSON form the service executes.
public indirect enum Expression: Sendable {
    /// A value with no expression inside it (a string, number, list or object of literals).
    case literal(Node)
    /// `{"Get": "<reference>"}`.
    case get(Reference, Node)
    /// `{"Std:Join": {"On": str, "Values": [...]}}`.
    case join(on: String, values: [Expression], Node)
    /// `{"Std:JsonGet": {"PropertyFile" | "S3Uri": ..., "Path": str}}`.
    case jsonGet(JsonGet, Node)
    /// Something that looks like an expression but is not a valid one.
    case malformed(String, Node)

    public var node: Node {
        switch self {
        case .literal(let node), .get(_, let node), .join(_, _, let node), .jsonGet(_, let node), .malformed(_, let node):
            return node
        }
    }

    public static let functionKeys: Set<String> = ["Get", "Std:Join", "Std:JsonGet"]

    /// True when `node` is written as an expression (even a malformed one) rather than a literal.
    public static func isExpression(_ node: Node) -> Bool {
        guard case .object(let members) = node.value else { return false }
        // By index: a closure over the members copies each one it is handed.
        for index in members.indices where isFunctionKey(members[index].key) { return true }
        return false
    }

    /// `Get` or any `Std:` function name (checked on bytes: this runs for every object in a definition).
    static func isFunctionKey(_ key: String) -> Bool {
        var utf8 = key.utf8.makeIterator()
        switch utf8.next() {
        case UInt8(ascii: "G"): return key == "Get"
        case UInt8(ascii: "S"): return key.hasPrefix("Std:")
        default: return false
        }
    }

    /// Parses `node` as an expression, or returns `.literal` when it is a plain value.
    /// Containers of literals stay literals; use `ExpressionWalker` to find nested expressions.
    public static func parse(_ node: Node) -> Expression {
        guard isExpression(node), let members = node.members else { return .literal(node) }
        guard members.count == 1 else {
            let keys = members.map(\.key).joined(separator: ", ")
            return .malformed("an expression object must have exactly one key, found: \(keys)", node)
        }
        let member = members[0]
        switch member.key {
        case "Get":
            guard let text = member.value.string else {
                return .malformed(
                    "'Get' takes a string such as \"Parameters.Name\" or \"Steps.Step.Property\", not a \(member.value.typeName)", node)
            }
            return .get(Reference.parse(text), member.value)
        case "Std:Join":
            guard let body = member.value.members else {
                return .malformed("'Std:Join' takes an object {\"On\": separator, \"Values\": [...]}, not a \(member.value.typeName)", node)
            }
            for extra in body where extra.key != "On" && extra.key != "Values" {
                return .malformed(
                    "unknown key '\(extra.key)' in 'Std:Join' (expected On and Values)", Node(member.value.value, at: extra.keyLocation))
            }
            var on = ""
            if let onNode = member.value["On"] {
                guard let string = onNode.string else {
                    return .malformed("'Std:Join' On must be a string, not a \(onNode.typeName)", onNode)
                }
                on = string
            }
            guard let valuesNode = member.value["Values"] else {
                return .malformed("'Std:Join' needs a 'Values' list", member.value)
            }
            guard let values = valuesNode.elements else {
                return .malformed("'Std:Join' Values must be a list, not a \(valuesNode.typeName)", valuesNode)
            }
            return .join(on: on, values: values.map(parse), node)
        case "Std:JsonGet":
            guard member.value.members != nil else {
                return .malformed(
                    "'Std:JsonGet' takes an object with 'PropertyFile' or 'S3Uri' and 'Path', not a \(member.value.typeName)", node)
            }
            return JsonGet.parse(member.value, whole: node)
        default:
            return .malformed("unknown function '\(member.key)' (pipelines support Get, Std:Join and Std:JsonGet)", node)
        }
    }

    /// Every `Get` reference inside this expression, depth first.
    public func forEachReference(_ body: (Reference, Node) -> Void) {
        switch self {
        case .literal, .malformed: break
        case .get(let reference, let node): body(reference, node)
        case .join(_, let values, _): values.forEach { $0.forEachReference(body) }
        case .jsonGet(let jsonGet, _):
            switch jsonGet.source {
            case .propertyFile(let expression), .s3Uri(let expression): expression.forEachReference(body)
            case .missing: break
            }
        }
    }
}

/// The body of `Std:JsonGet`.
public struct JsonGet: Sendable {
    public enum Source: Sendable {
        case propertyFile(Expression)
        case s3Uri(Expression)
        case missing
    }

    public var source: Source
    public var path: String?
    public var pathNode: Node?

    /// The property file this JsonGet reads, when it is the property-file form with a valid reference.
    public var propertyFile: (step: String, file: String, node: Node)? {
        guard case .propertyFile(.get(.propertyFile(let step, let file), let node)) = source else { return nil }
        return (step, file, node)
    }

    static func parse(_ body: Node, whole: Node) -> Expression {
        let hasFile = body["PropertyFile"] != nil
        let hasS3 = body["S3Uri"] != nil
        for extra in body.members ?? [] where !["PropertyFile", "S3Uri", "Path", "StepName"].contains(extra.key) {
            return .malformed(
                "unknown key '\(extra.key)' in 'Std:JsonGet' (expected PropertyFile or S3Uri, and Path)",
                Node(body.value, at: extra.keyLocation))
        }
        if hasFile && hasS3 {
            return .malformed("'Std:JsonGet' takes either PropertyFile or S3Uri, not both", body)
        }
        guard let pathNode = body["Path"] else {
            return .malformed("'Std:JsonGet' needs a 'Path' (a JSON path such as \"metrics.accuracy.value\")", body)
        }
        guard let path = pathNode.string else {
            return .malformed("'Std:JsonGet' Path must be a string, not a \(pathNode.typeName)", pathNode)
        }
        let source: Source
        if let file = body["PropertyFile"] {
            let expression = Expression.parse(file)
            switch expression {
            case .get(.propertyFile, _): source = .propertyFile(expression)
            case .get(let reference, let node):
                return .malformed(
                    "'Std:JsonGet' PropertyFile must be {\"Get\": \"Steps.<Step>.PropertyFiles.<Name>\"}, not \"\(reference.text)\"", node)
            case .malformed: return expression
            default:
                return .malformed("'Std:JsonGet' PropertyFile must be {\"Get\": \"Steps.<Step>.PropertyFiles.<Name>\"}", file)
            }
        } else if let uri = body["S3Uri"] {
            let expression = Expression.parse(uri)
            switch expression {
            case .join: source = .s3Uri(expression)
            case .literal where uri.string != nil: source = .s3Uri(expression)
            case .malformed: return expression
            default:
                return .malformed(
                    "'Std:JsonGet' S3Uri must be a string or a Std:Join of strings, parameters, execution variables and step properties",
                    uri)
            }
        } else {
            return .malformed("'Std:JsonGet' needs a PropertyFile or an S3Uri to read from", body)
        }
        return .jsonGet(JsonGet(source: source, path: path, pathNode: pathNode), whole)
    }
}

/// What a `Get` names.
public enum Reference: Sendable, Equatable {
    case parameter(String)
    case execution(String)
    /// `Steps.<step><path>`; `path` keeps its leading `.` or `[`.
    case stepProperty(step: String, path: String)
    case propertyFile(step: String, file: String)
    case experimentConfig(String)
    /// `ForEach.CurrentItem` with an optional path into the item (`.region`, `['weight']`):
    /// valid only in the body steps of a ForEach step (SDK v3).
    case currentItem(path: String)
    /// `IterationOutput.<BodyStep><path>`: valid only as a ForEach step's `Selector.Field` (SDK v3).
    case iterationOutput(step: String, path: String)
    case invalid(String, reason: String)

    public static let executionVariables: [String] = [
        "CurrentDateTime", "PipelineArn", "PipelineExecutionArn", "PipelineExecutionId", "PipelineName",
        "ProcessingJobName", "StartDateTime", "TrainingJobName",
    ]

    public var text: String {
        switch self {
        case .parameter(let name): return "Parameters.\(name)"
        case .execution(let name): return "Execution.\(name)"
        case .stepProperty(let step, let path): return "Steps.\(step)\(path)"
        case .propertyFile(let step, let file): return "Steps.\(step).PropertyFiles.\(file)"
        case .experimentConfig(let name): return "PipelineExperimentConfig.\(name)"
        case .currentItem(let path): return "ForEach.CurrentItem\(path)"
        case .iterationOutput(let step, let path): return "IterationOutput.\(step)\(path)"
        case .invalid(let text, _): return text
        }
    }

    /// The step this reference reads from, if any.
    public var stepName: String? {
        switch self {
        case .stepProperty(let step, _), .propertyFile(let step, _): return step
        default: return nil
        }
    }

    /// Where a step name ends: its first `.` or `[` (found on bytes, not characters: this runs
    /// for every reference of a definition).
    private static func nameEnd(_ rest: Substring) -> String.Index {
        rest.utf8.firstIndex { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") } ?? rest.endIndex
    }

    public static func parse(_ text: String) -> Reference {
        if text.hasPrefix("Parameters.") {
            let name = String(text.dropFirst("Parameters.".count))
            return name.isEmpty ? .invalid(text, reason: "a parameter name must follow 'Parameters.'") : .parameter(name)
        }
        if text.hasPrefix("Execution.") {
            return .execution(String(text.dropFirst("Execution.".count)))
        }
        if text.hasPrefix("PipelineExperimentConfig.") {
            return .experimentConfig(String(text.dropFirst("PipelineExperimentConfig.".count)))
        }
        if text == "ForEach.CurrentItem" || text.hasPrefix("ForEach.CurrentItem.") || text.hasPrefix("ForEach.CurrentItem[") {
            return .currentItem(path: String(text.dropFirst("ForEach.CurrentItem".count)))
        }
        if text.hasPrefix("IterationOutput.") {
            let rest = text.dropFirst("IterationOutput.".count)
            let end = nameEnd(rest)
            let step = String(rest[..<end])
            if step.isEmpty { return .invalid(text, reason: "a body step name must follow 'IterationOutput.'") }
            return .iterationOutput(step: step, path: String(rest[end...]))
        }
        if text.hasPrefix("Steps.") {
            let rest = text.dropFirst("Steps.".count)
            let end = nameEnd(rest)
            let step = String(rest[..<end])
            let path = String(rest[end...])
            if step.isEmpty { return .invalid(text, reason: "a step name must follow 'Steps.'") }
            if path.hasPrefix(".PropertyFiles.") {
                return .propertyFile(step: step, file: String(path.dropFirst(".PropertyFiles.".count)))
            }
            return .stepProperty(step: step, path: path)
        }
        let root = text.split(separator: ".").first.map(String.init) ?? text
        return .invalid(
            text,
            reason:
                "'\(root)' is not a reference root (use Parameters., Execution., Steps., PipelineExperimentConfig., or in a ForEach ForEach.CurrentItem and IterationOutput.)"
        )
    }
}
