import Foundation

/// Cached step results, keyed by the service's cache-key attributes.
struct StepCache: Sendable {
    let directory: String

    struct Hit {
        var properties: Node
        var execution: String
        var completedAt: String
    }

    static let keyAttributes: [StepType: [String]] = [
        .processing: ["AppSpecification", "Environment", "ProcessingInputs"],
        .training: [
            "AlgorithmSpecification", "CheckpointConfig", "DebugHookConfig", "DebugRuleConfigurations", "Environment", "HyperParameters",
            "InputDataConfig",
        ],
        .transform: ["DataProcessing", "Environment", "ModelName", "TransformInput"],
        .tuning: ["HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions"],
        .autoML: ["AutoMLJobConfig", "AutoMLJobObjective", "InputDataConfig", "ProblemType"],
        .emr: ["ClusterId", "StepConfig"],
    ]

    static func key(step: Step, arguments: Node, standIn: [String]?) -> String {
        var parts: [(String, Node)] = [("Type", Node(.string(step.type?.rawValue ?? "")))]
        if let type = step.type, let attributes = keyAttributes[type] {
            for attribute in attributes { parts.append((attribute, arguments[attribute] ?? Node(.null))) }
        } else {
            parts.append(("Arguments", arguments))
        }
        if let standIn { parts.append(("LocalStandIn", Node(.array(standIn.map { Node(.string($0)) })))) }
        return DefinitionHashes.sha256(CanonicalJSON.data(Node(object: parts)))
    }

    func lookup(_ key: String, expireAfter: String?) -> Hit? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(key).json"),
            let entry = try? DocumentLoader.parse(data: data, path: key, syntax: .json).root,
            let completed = entry["completedAt"]?.string, let date = Timestamp.date(from: completed),
            let props = entry["properties"], let execution = entry["execution"]?.string
        else { return nil }
        if let expireAfter, let seconds = CacheDuration.seconds(expireAfter), Date().timeIntervalSince(date) > seconds { return nil }
        return Hit(properties: props, execution: execution, completedAt: completed)
    }

    func store(_ key: String, properties: Node, execution: String, step: String) {
        let entry = Node(object: [
            ("completedAt", Node(.string(Timestamp.string(Date())))), ("execution", Node(.string(execution))),
            ("step", Node(.string(step))), ("properties", properties),
        ])
        try? AtomicFile.write(CanonicalJSON.data(entry, pretty: true), to: "\(directory)/\(key).json")
    }
}
