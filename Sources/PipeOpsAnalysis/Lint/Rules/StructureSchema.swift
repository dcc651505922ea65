import PipeOpsModel

/// The shape of a definition outside `Arguments`: which keys exist, which are required, and
/// their JSON types. Shared by the required-key, key-type and unknown-key rules.
enum StructureSchema {
    enum Kind: String {
        case string, bool, integer, number, object, array, stringOrExpression, objectOrNull
        /// A boolean, or an expression (e.g. a Boolean parameter): the check steps' flags.
        case boolOrExpression
        /// A string, an expression, or null: the SDK writes null for unset check-step options.
        case stringExpressionOrNull
        /// A literal list, or an expression that yields a JSON list (ForEach IterableItems).
        case arrayOrExpression
        /// A whole number, or an expression (e.g. an Integer parameter).
        case integerOrExpression

        func accepts(_ node: Node) -> Bool {
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
        var phrase: String {
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

    static let topLevel: [String: Kind] = [
        "Version": .string, "Metadata": .object, "Parameters": .array, "PipelineExperimentConfig": .objectOrNull, "Steps": .array,
        // SDK v3 writes the pipeline's MLflow settings here (null when unset).
        "MlflowConfig": .objectOrNull,
    ]
    static let topLevelRequired = ["Version", "Steps"]

    static let parameter: [String: Kind] = [
        "Name": .string, "Type": .string, "DefaultValue": .objectOrNull, "EnumValues": .array, "Description": .string,
    ]

    static let commonStep: [String: Kind] = [
        "Name": .string, "Type": .string, "Arguments": .object, "DependsOn": .array, "DisplayName": .string,
        "Description": .string, "CacheConfig": .object, "RetryPolicies": .array,
    ]

    static func stepKeys(for type: StepType) -> [String: Kind]? {
        var keys = commonStep
        switch type {
        case .processing: keys["PropertyFiles"] = .array
        case .lambda:
            keys["FunctionArn"] = .string
            keys["OutputParameters"] = .array
        case .callback:
            keys["SqsQueueUrl"] = .string
            keys["OutputParameters"] = .array
        case .qualityCheck, .clarifyCheck:
            // The SDK writes booleans for the flags and null for options left unset
            // (quality_check_step.py / clarify_check_step.py `to_request`).
            keys["CheckType"] = .string
            for key in ["SkipCheck", "FailOnViolation", "RegisterNewBaseline"] { keys[key] = .boolOrExpression }
            for key in ["ModelPackageGroupName", "SuppliedBaselineConstraints"] { keys[key] = .stringExpressionOrNull }
            if type == .qualityCheck {
                keys["SuppliedBaselineStatistics"] = .stringExpressionOrNull
            } else {
                keys["ModelName"] = .stringExpressionOrNull
            }
        case .forEach:
            // Everything a ForEach step needs is in its Arguments (SDK v3 for_each_step.py).
            keys["CacheConfig"] = nil
            keys["RetryPolicies"] = nil
        case .unknown: return nil
        default: break
        }
        return keys
    }

    static func requiredStepKeys(for type: StepType) -> [String] {
        switch type {
        case .unknown: return ["Name", "Type"]
        case .lambda: return ["Name", "Type", "Arguments", "FunctionArn"]
        case .callback: return ["Name", "Type", "Arguments", "SqsQueueUrl"]
        case .qualityCheck, .clarifyCheck: return ["Name", "Type", "Arguments", "CheckType"]
        default: return ["Name", "Type", "Arguments"]
        }
    }

    static let cacheConfig: [String: Kind] = ["Enabled": .bool, "ExpireAfter": .string]
    static let retryPolicy: [String: Kind] = [
        "ExceptionType": .array, "IntervalSeconds": .integer, "BackoffRate": .number, "MaxAttempts": .integer, "ExpireAfterMin": .integer,
    ]
    static let propertyFile: [String: Kind] = ["PropertyFileName": .string, "OutputName": .string, "FilePath": .string]
    static let outputParameter: [String: Kind] = ["OutputName": .string, "OutputType": .string]
    static let conditionArguments: [String: Kind] = ["Conditions": .array, "IfSteps": .array, "ElseSteps": .array]
    static let failArguments: [String: Kind] = ["ErrorMessage": .stringOrExpression]
    static let forEachArguments: [String: Kind] = [
        "IterableItems": .arrayOrExpression, "MaxConcurrency": .integerOrExpression, "Selector": .object, "ForEachBody": .array,
    ]
    static let forEachArgumentsRequired = ["IterableItems", "MaxConcurrency", "ForEachBody"]
    static let forEachSelector: [String: Kind] = ["Pick": .string, "Field": .object]

    /// Visits (object, schema, context) pairs of a definition for the structure rules.
    static func forEachObject(in pipeline: Pipeline, _ body: (Node, [String: Kind], String, Step?) -> Void) {
        let root = pipeline.root
        guard root.members != nil else { return }
        body(root, topLevel, "the definition", nil)
        for parameter in root["Parameters"]?.elements ?? [] where parameter.members != nil {
            body(parameter, StructureSchema.parameter, "parameter '\(parameter["Name"]?.string ?? "?")'", nil)
        }
        for step in pipeline.steps {
            guard let type = step.type, let keys = stepKeys(for: type) else { continue }
            let label = "step '\(step.name)'"
            body(step.node, keys, label, step)
            if let cache = step.node["CacheConfig"], cache.members != nil { body(cache, cacheConfig, "CacheConfig of \(label)", step) }
            for policy in step.node["RetryPolicies"]?.elements ?? [] where policy.members != nil {
                body(policy, retryPolicy, "a retry policy of \(label)", step)
            }
            for file in step.node["PropertyFiles"]?.elements ?? [] where file.members != nil {
                body(file, propertyFile, "a property file of \(label)", step)
            }
            for output in step.node["OutputParameters"]?.elements ?? [] where output.members != nil {
                body(output, outputParameter, "an output parameter of \(label)", step)
            }
            if let arguments = step.arguments, arguments.members != nil {
                if type == .condition { body(arguments, conditionArguments, "the Arguments of \(label)", step) }
                if type == .fail { body(arguments, failArguments, "the Arguments of \(label)", step) }
                if type == .forEach {
                    body(arguments, forEachArguments, "the Arguments of \(label)", step)
                    if let selector = arguments["Selector"], selector.members != nil {
                        body(selector, forEachSelector, "the Selector of \(label)", step)
                    }
                }
            }
        }
    }
}
