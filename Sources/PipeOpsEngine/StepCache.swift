import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Cached step results, keyed by the service's cache-key attributes.
package struct StepCache: Sendable {
    let directory: String

    struct Hit {
        var properties: Node
        var execution: String
        var completedAt: String
    }

    /// What the key is computed from: the step type and its key attributes, resolved.
    static func attributes(step: Step, arguments: Node, standIn: [String]?) -> Node {
        var parts: [(String, Node)] = [("Type", Node(.string(step.type?.rawValue ?? "")))]
        if let attributes = step.type?.kind?.cacheKeyAttributes {
            for attribute in attributes { parts.append((attribute, arguments[attribute] ?? Node(.null))) }
        } else {
            parts.append(("Arguments", arguments))
        }
        if let standIn { parts.append(("LocalStandIn", Node(.array(standIn.map { Node(.string($0)) })))) }
        return Node(object: parts)
    }

    static func key(attributes: Node) -> String { DefinitionHashes.sha256(CanonicalJSON.data(attributes)) }

    static func key(step: Step, arguments: Node, standIn: [String]?) -> String {
        key(attributes: attributes(step: step, arguments: arguments, standIn: standIn))
    }

    struct Entry {
        var key: String
        var step: String
        var execution: String
        var completedAt: Date
        var attributes: Node?
        var properties: Node
    }

    /// Every entry on disk (for explaining a miss: the newest entry of the same step).
    func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                let root = try? DocumentLoader.parse(data: data, path: name, syntax: .json).root,
                let step = root["step"]?.string, let execution = root["execution"]?.string,
                let completed = root["completedAt"]?.string.flatMap(Timestamp.date(from:)), let properties = root["properties"]
            else { return nil }
            return Entry(
                key: String(name.dropLast(5)), step: step, execution: execution, completedAt: completed, attributes: root["keyAttributes"],
                properties: properties)
        }
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

    func store(_ key: String, properties: Node, execution: String, step: String, attributes: Node? = nil) {
        var fields: [(String, Node)] = [
            ("completedAt", Node(.string(Timestamp.string(Date())))), ("execution", Node(.string(execution))),
            ("step", Node(.string(step))), ("properties", properties),
        ]
        if let attributes { fields.append(("keyAttributes", attributes)) }
        let entry = Node(object: fields)
        try? AtomicFile.write(CanonicalJSON.data(entry, pretty: true), to: "\(directory)/\(key).json")
    }
}
