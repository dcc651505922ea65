import PipeOpsModel

/// The shape of a definition outside `Arguments`: which keys exist, which are required, and
/// their JSON types. Shared by the required-key, key-type and unknown-key rules.
enum StructureSchema {
    typealias Kind = KeyKind

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
        guard let kind = type.kind else { return nil }
        var keys = commonStep
        for key in kind.removedKeys { keys[key] = nil }
        keys.merge(kind.stepKeys) { _, own in own }
        return keys
    }

    static func requiredStepKeys(for type: StepType) -> [String] {
        guard let kind = type.kind else { return ["Name", "Type"] }
        return ["Name", "Type", "Arguments"] + kind.requiredKeys
    }

    static let cacheConfig: [String: Kind] = ["Enabled": .bool, "ExpireAfter": .string]
    static let retryPolicy: [String: Kind] = [
        "ExceptionType": .array, "IntervalSeconds": .integer, "BackoffRate": .number, "MaxAttempts": .integer, "ExpireAfterMin": .integer,
    ]
    static let propertyFile: [String: Kind] = ["PropertyFileName": .string, "OutputName": .string, "FilePath": .string]
    static let outputParameter: [String: Kind] = ["OutputName": .string, "OutputType": .string]
    static let forEachArgumentsRequired = ["IterableItems", "MaxConcurrency", "ForEachBody"]
    static let forEachSelector: [String: Kind] = ["Pick": .string, "Field": .object]

    /// Visits (object, schema, context) pairs of a definition for the structure rules.
    /// `body` gets each object, its schema, a description for messages (made only when called:
    /// a valid definition builds none of those texts) and its step.
    static func forEachObject(in pipeline: Pipeline, _ body: (Node, [String: Kind], () -> String, Step?) -> Void) {
        let root = pipeline.root
        guard root.members != nil else { return }
        body(root, topLevel, { "the definition" }, nil)
        for parameter in root["Parameters"]?.elements ?? [] where parameter.members != nil {
            body(parameter, StructureSchema.parameter, { "parameter '\(parameter["Name"]?.string ?? "?")'" }, nil)
        }
        for step in pipeline.steps {
            guard let type = step.type, let keys = stepKeys(for: type) else { continue }
            let label = { "step '\(step.name)'" }
            body(step.node, keys, label, step)
            if let cache = step.node["CacheConfig"], cache.members != nil {
                body(cache, cacheConfig, { "CacheConfig of \(label())" }, step)
            }
            for policy in step.node["RetryPolicies"]?.elements ?? [] where policy.members != nil {
                body(policy, retryPolicy, { "a retry policy of \(label())" }, step)
            }
            for file in step.node["PropertyFiles"]?.elements ?? [] where file.members != nil {
                body(file, propertyFile, { "a property file of \(label())" }, step)
            }
            for output in step.node["OutputParameters"]?.elements ?? [] where output.members != nil {
                body(output, outputParameter, { "an output parameter of \(label())" }, step)
            }
            if let arguments = step.arguments, arguments.members != nil {
                if let keys = type.kind?.argumentKeys { body(arguments, keys, { "the Arguments of \(label())" }, step) }
                if type == .forEach, let selector = arguments["Selector"], selector.members != nil {
                    body(selector, forEachSelector, { "the Selector of \(label())" }, step)
                }
            }
        }
    }
}
