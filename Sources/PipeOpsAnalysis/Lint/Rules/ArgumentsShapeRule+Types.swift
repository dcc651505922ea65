import PipeOpsModel

/// Types and ranges the arguments-shape rule shares with the environment rule.
extension ArgumentsShapeRule {
    /// Whether a value of botocore type `given` can fill a field of type `field`. String-like
    /// fields are not judged: what the service converts into them is undocumented.
    static func accepts(_ field: String, _ given: String) -> Bool {
        switch field {
        case "integer", "long": return given == "integer" || given == "long"
        case "float", "double": return ["integer", "long", "float", "double"].contains(given)
        case "boolean": return given == "boolean"
        default: return true
        }
    }

    static func article(_ type: String) -> String {
        switch type {
        case "integer", "long": return "an integer"
        case "float", "double": return "a number"
        case "boolean": return "a boolean"
        case "timestamp": return "a timestamp"
        default: return "a string"
        }
    }

    static func parameterKind(for type: String) -> String {
        switch type {
        case "integer", "long": return "Integer"
        case "float", "double": return "Float"
        case "boolean": return "Boolean"
        default: return "String"
        }
    }

    static func rangePhrase(_ type: String, _ limits: ServiceShapes.Limits) -> String {
        type == "string" ? "\(limits.phrase) characters" : "values \(limits.phrase)"
    }

    /// How a literal breaks the limits, or nil when it fits (or is not of the field's kind).
    static func outOfRange(_ node: Node, type: String, limits: ServiceShapes.Limits) -> String? {
        switch type {
        case "integer", "long", "float", "double":
            guard let value = node.double, !limits.contains(value) else { return nil }
            return node.brief
        case "string":
            guard let string = node.string else { return nil }
            // A string has between a quarter of its UTF-8 bytes and all of them as characters:
            // when both ends are in range, so is its length, and no character is counted.
            let bytes = string.utf8.count
            if limits.contains(Double(bytes)) && limits.contains(Double((bytes + 3) / 4)) { return nil }
            let count = string.unicodeScalars.count
            return limits.contains(Double(count)) ? nil : "\(count) characters long"
        default: return nil
        }
    }
}
