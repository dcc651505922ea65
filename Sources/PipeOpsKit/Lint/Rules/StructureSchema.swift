/// The shape of a definition outside `Arguments`: which keys exist, which are required, and
/// their JSON types. Shared by the required-key, key-type and unknown-key rules.
enum StructureSchema {
    enum Kind: String {
        case string, bool, integer, number, object, array, stringOrExpression, objectOrNull
        func accepts(_ node: Node) -> Bool {
            switch (self, node.value) {
            case (.string, .string), (.bool, .bool), (.integer, .integer), (.number, .integer), (.number, .number),
                 (.object, .object), (.array, .array), (.objectOrNull, .object), (.objectOrNull, .null): return true
            case (.stringOrExpression, .string), (.stringOrExpression, .object): return true
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
            }
        }
    }

    static let topLevel: [String: Kind] = [
        "Version": .string, "Metadata": .object, "Parameters": .array, "PipelineExperimentConfig": .objectOrNull, "Steps": .array,
    ]
    static let topLevelRequired = ["Version", "Steps"]

    static let parameter: [String: Kind] = ["Name": .string, "Type": .string, "DefaultValue": .objectOrNull, "EnumValues": .array, "Description": .string]

    static let commonStep: [String: Kind] = [
        "Name": .string, "Type": .string, "Arguments": .object, "DependsOn": .array, "DisplayName": .string,
        "Description": .string, "CacheConfig": .object, "RetryPolicies": .array,
    ]

    static func stepKeys(for type: StepType) -> [String: Kind]? {
        var keys = commonStep
        switch type {
        case .processing: keys["PropertyFiles"] = .array
        case .lambda: keys["FunctionArn"] = .string; keys["OutputParameters"] = .array
        case .callback: keys["SqsQueueUrl"] = .string; keys["OutputParameters"] = .array
        case .qualityCheck, .clarifyCheck:
            for key in ["CheckType", "ModelPackageGroupName"] { keys[key] = .stringOrExpression }
            for key in ["SkipCheck", "FailOnViolation", "RegisterNewBaseline"] { keys[key] = .stringOrExpression }
            keys["SuppliedBaselineConstraints"] = .stringOrExpression
            if type == .qualityCheck { keys["SuppliedBaselineStatistics"] = .stringOrExpression } else { keys["ModelName"] = .stringOrExpression }
        case .forEach, .unknown: return nil
        default: break
        }
        return keys
    }

    static func requiredStepKeys(for type: StepType) -> [String] {
        switch type {
        case .forEach, .unknown: return ["Name", "Type"]
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
            }
        }
    }
}
