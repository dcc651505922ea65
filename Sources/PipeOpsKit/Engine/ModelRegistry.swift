import Foundation

/// Models and model packages created by local runs, under `<state>/models` and `<state>/registry`.
public struct ModelRegistry: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    func saveModel(_ properties: Node, named name: String) throws(PipeOpsError) {
        try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: "\(stateDirectory)/models/\(name).json")
    }

    func model(named name: String) -> Node? {
        guard let data = FileManager.default.contents(atPath: "\(stateDirectory)/models/\(name).json") else { return nil }
        return try? DocumentLoader.parse(data: data, path: name, syntax: .json).root
    }

    /// Registers a new version in the group; returns DescribeModelPackage-like properties.
    func register(_ arguments: Node, group: String, execution: String, step: String) throws(PipeOpsError) -> Node {
        let safeGroup = group.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        let folder = "\(stateDirectory)/registry/\(String(safeGroup))"
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            Int($0.replacingOccurrences(of: ".json", with: ""))
        }
        let version = (existing.max() ?? 0) + 1
        let arn = "arn:aws:sagemaker:local:000000000000:model-package/\(group)/\(version)"
        let properties = StepRunners.merge(
            arguments,
            [
                ("ModelPackageArn", .string(arn)),
                ("ModelPackageName", .string(group)),
                ("ModelPackageGroupName", .string(group)),
                ("ModelPackageVersion", .integer(version)),
                ("ModelApprovalStatus", .string(arguments["ModelApprovalStatus"].map { Evaluator.text($0) } ?? "PendingManualApproval")),
                ("ModelPackageStatus", .string("Completed")),
                ("CreationTime", .string(Timestamp.string(Date()))),
                ("PipelineExecution", .string(execution)),
                ("Step", .string(step)),
            ])
        try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: "\(folder)/\(version).json")
        return properties
    }

    /// Every registered version, oldest first.
    public func packages(group: String) -> [Node] {
        let folder = "\(stateDirectory)/registry/\(group)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            Int($0.replacingOccurrences(of: ".json", with: ""))
        }.sorted()
        return files.compactMap { version in
            FileManager.default.contents(atPath: "\(folder)/\(version).json").flatMap {
                try? DocumentLoader.parse(data: $0, path: "p", syntax: .json).root
            }
        }
    }
}
