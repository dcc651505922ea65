import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Models and model packages created by local runs, under `<state>/models` and `<state>/registry`.
///
/// Names become file names through one mapping (`fileName`), on write and on read alike, so a
/// name with `/` or `..` cannot leave its folder. A new package version is claimed with an
/// exclusive create (`link`, which never replaces), so parallel RegisterModel steps — in one run or
/// in two pipeops processes — get distinct versions and neither overwrites the other.
public struct ModelRegistry: Sendable {
    public let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    /// Letters, digits, `-` and `_` are kept; anything else becomes `-` (never empty, never `.`).
    static func fileName(_ name: String) -> String {
        let mapped = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        return mapped.isEmpty ? "-" : mapped
    }

    func saveModel(_ properties: Node, named name: String) throws(PipeOpsError) {
        try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: "\(stateDirectory)/models/\(Self.fileName(name)).json")
    }

    func model(named name: String) -> Node? {
        guard let data = FileManager.default.contents(atPath: "\(stateDirectory)/models/\(Self.fileName(name)).json") else { return nil }
        return try? DocumentLoader.parse(data: data, path: name, syntax: .json).root
    }

    /// Registers a new version in the group; returns DescribeModelPackage-like properties.
    func register(_ arguments: Node, group: String, execution: String, step: String) throws(PipeOpsError) -> Node {
        let folder = "\(stateDirectory)/registry/\(Self.fileName(group))"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .writeFailed(folder, reason: error.localizedDescription)
        }
        var version = (versions(in: folder).max() ?? 0) + 1
        while true {
            let properties = Self.package(arguments, group: group, version: version, execution: execution, step: step)
            let temporary = "\(folder)/.\(version).\(UUID().uuidString.prefix(8)).tmp"
            try AtomicFile.write(CanonicalJSON.data(properties, pretty: true), to: temporary)
            defer { unlink(temporary) }
            if link(temporary, "\(folder)/\(version).json") == 0 { return properties }
            guard errno == EEXIST else {
                throw .writeFailed("\(folder)/\(version).json", reason: String(cString: strerror(errno)))
            }
            version += 1 // another step took this version first
        }
    }

    static func package(_ arguments: Node, group: String, version: Int, execution: String, step: String) -> Node {
        StepRunners.merge(
            arguments,
            [
                ("ModelPackageArn", .string("arn:aws:sagemaker:local:000000000000:model-package/\(group)/\(version)")),
                ("ModelPackageName", .string(group)),
                ("ModelPackageGroupName", .string(group)),
                ("ModelPackageVersion", .integer(version)),
                ("ModelApprovalStatus", .string(arguments["ModelApprovalStatus"].map { Evaluator.text($0) } ?? "PendingManualApproval")),
                ("ModelPackageStatus", .string("Completed")),
                ("CreationTime", .string(Timestamp.string(Date()))),
                ("PipelineExecution", .string(execution)),
                ("Step", .string(step)),
            ])
    }

    private func versions(in folder: String) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil
        }
    }

    /// Every registered version of `group`, oldest first.
    public func packages(group: String) -> [Node] {
        let folder = "\(stateDirectory)/registry/\(Self.fileName(group))"
        return versions(in: folder).sorted().compactMap { version in
            FileManager.default.contents(atPath: "\(folder)/\(version).json").flatMap {
                try? DocumentLoader.parse(data: $0, path: "p", syntax: .json).root
            }
        }
    }
}
