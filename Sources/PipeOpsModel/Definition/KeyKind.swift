/// The JSON type a key of a definition outside `Arguments` must have.
public enum KeyKind: String, Sendable {
    case string, bool, integer, number, object, array, stringOrExpression, objectOrNull
    /// A boolean, or an expression (e.g. a Boolean parameter): the check steps' flags.
    case boolOrExpression
    /// A string, an expression, or null: the SDK writes null for unset check-step options.
    case stringExpressionOrNull
    /// A literal list, or an expression that yields a JSON list (ForEach IterableItems).
    case arrayOrExpression
    /// A whole number, or an expression (e.g. an Integer parameter).
    case integerOrExpression

    public func accepts(_ node: Node) -> Bool {
        switch (self, node.value) {
        case (.string, .string), (.bool, .bool), (.integer, .integer), (.number, .integer), (.number, .number),
            (.object, .object), (.array, .array), (.objectOrNull, .object), (.objectOrNull, .null):
            return true
        case (.stringOrExpression, .string), (.stringOrExpression, .object): return true
        case (.boolOrExpression, .bool): return true
        case (.boolOrExpression, .object): return Expression.isExpression(node)
        case (.stringExpressionOrNull, .string), (.stringExpressionOrNull, .null): return true
        case (.stringExpressionOrNull, .object): return Expression.isExpression(node)
        case (.arrayOrExpression, .array): return true
        case (.arrayOrExpression, .object): return Expression.isExpression(node)
        case (.integerOrExpression, .integer): return true
        case (.integerOrExpression, .object): return Expression.isExpression(node)
        default: return false
        }
    }
    public var phrase: String {
        switch self {
        case .string: return "a string"
        case .bool: return "true or false"
        case .integer: return "a whole number"
        case .number: return "a number"
        case .object: return "an object"
        case .array: return "a list"
        case .stringOrExpression: return "a string or an expression"
        case .objectOrNull: return "an object or null"
        case .boolOrExpression: return "true, false or an expression"
        case .stringExpressionOrNull: return "a string, an expression or null"
        case .arrayOrExpression: return "a list or an expression that yields a JSON list"
        case .integerOrExpression: return "a whole number or an expression"
        }
    }
}
