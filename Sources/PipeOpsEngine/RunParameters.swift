import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Resolves the values of an execution's parameters: the definition's defaults, then the
/// environment's parameter set, then `--param NAME=VALUE` overrides. Every problem is
/// collected and reported before anything runs.
public enum RunParameters {
    public static func resolve(_ pipeline: Pipeline, environment: [String: Node], overrides: [(name: String, value: String)])
        throws(PipeOpsError) -> [String: Node]
    {
        var values: [String: Node] = [:]
        var problems: [String] = []
        let names = pipeline.parameters.map(\.name)
        for parameter in pipeline.parameters {
            if let value = parameter.defaultValue { values[parameter.name] = Node(value.value) }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard let parameter = pipeline.parameter(named: name) else {
                problems.append("the environment sets unknown parameter '\(name)'\(hint(name, names))")
                continue
            }
            if parameter.accepts(value) {
                values[name] = Node(value.value)
            } else {
                problems.append("parameter '\(name)' \(parameter.problem(with: value) ?? "is not valid") (in the environment)")
            }
        }
        for (name, text) in overrides {
            guard let parameter = pipeline.parameter(named: name) else {
                problems.append("--param \(name): unknown parameter\(hint(name, names))")
                continue
            }
            guard let value = parse(text, as: parameter.kind) else {
                problems.append("--param \(name)=\(text): \(parameter.kind?.rawValue ?? "?") parameter needs \(phrase(parameter.kind))")
                continue
            }
            values[name] = value
        }
        for parameter in pipeline.parameters {
            guard let value = values[parameter.name] else {
                problems.append(
                    "parameter '\(parameter.name)' has no default and no value; pass --param \(parameter.name)=VALUE or set it in the environment file"
                )
                continue
            }
            // An empty default is accepted, as CreatePipeline accepts it; the service refuses ""
            // only where it is given at start for a field that needs a value.
            if value.string == "", parameter.defaultValue?.string == "", environment[parameter.name] == nil,
                !overrides.contains(where: { $0.name == parameter.name })
            {
                continue
            }
            if let problem = parameter.problem(with: value) { problems.append("parameter '\(parameter.name)' \(problem)") }
        }
        if !problems.isEmpty { throw .message(problems.joined(separator: "\n")) }
        return values
    }

    static func hint(_ name: String, _ names: [String]) -> String {
        Suggestion.hint(name, in: names) ?? (names.isEmpty ? "" : " (declared: \(names.joined(separator: ", ")))")
    }

    static func phrase(_ kind: Parameter.Kind?) -> String {
        switch kind {
        case .integer?: return "a whole number"
        case .float?: return "a number"
        case .boolean?: return "true or false"
        default: return "a string"
        }
    }

    /// Parses a command-line value by the parameter's declared type.
    public static func parse(_ text: String, as kind: Parameter.Kind?) -> Node? {
        switch kind {
        case .integer?: return Int(text).map { Node(.integer($0)) }
        case .float?: return Double(text).flatMap { $0.isFinite ? Node(.number($0)) : nil }
        case .boolean?:
            switch text.lowercased() {
            case "true": return Node(.bool(true))
            case "false": return Node(.bool(false))
            default: return nil
            }
        default: return Node(.string(text))
        }
    }
}
