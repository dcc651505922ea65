import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

extension Node: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init(.null)
            return
        }
        if let bool = try? container.decode(Bool.self) {
            self.init(.bool(bool))
            return
        }
        if let int = try? container.decode(Int.self) {
            self.init(.integer(int))
            return
        }
        if let double = try? container.decode(Double.self) {
            self.init(.number(double))
            return
        }
        if let string = try? container.decode(String.self) {
            self.init(.string(string))
            return
        }
        if let array = try? container.decode([Node].self) {
            self.init(.array(array))
            return
        }
        let object = try container.decode([String: Node].self)
        self.init(.object(object.keys.sorted().map { Node.Member(key: $0, keyLocation: .start, value: object[$0]!) }))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let int): try container.encode(int)
        // JSON has no NaN or infinity: such a value is recorded as null rather than making the
        // whole record unwritable (an execution must never stay "Executing" because of one value).
        case .number(let double): if double.isFinite { try container.encode(double) } else { try container.encodeNil() }
        case .bigInteger(let digits):
            if let decimal = Decimal(string: digits) { try container.encode(decimal) } else { try container.encode(digits) }
        case .string(let string): try container.encode(string)
        case .array(let elements): try container.encode(elements)
        case .object(let members):
            try container.encode(Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        }
    }
}

/// One step of a local execution, as recorded under .pipeops/executions/<id>/.
public struct StepRecord: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case pending = "Pending"
        case executing = "Executing"
        case succeeded = "Succeeded"
        case failed = "Failed"
        /// Not run because a Condition took the other branch (or a step it needs was skipped).
        case skipped = "Skipped"
        /// Not run because a step it needs failed, or a Fail step stopped the execution.
        case notRun = "NotRun"
    }

    public struct CacheHit: Codable, Sendable {
        public var sourceExecution: String
        public var completedAt: String
    }

    public var name: String
    public var type: String
    public var status: Status
    public var startedAt: String?
    public var endedAt: String?
    public var durationSeconds: Double?
    public var attempts: Int
    public var cacheHit: CacheHit?
    public var outcome: Bool?
    public var failureReason: String?
    public var reason: String?
    public var properties: Node?
    public var stdoutLog: String?
    public var stderrLog: String?
    /// For a ForEach step: one record per child step, named `<BodyStep>-<index>`.
    public var children: [StepRecord]?
    /// For a step outside `run --from/--to`: the execution its result was taken from.
    public var reusedFrom: String?
    /// What the step's run depended on, resolved (its type's cache-key attributes, or all its
    /// arguments) and their hash: `run --changed` reuses a step whose inputs are unchanged.
    public var inputKey: String?
    public var inputs: Node?
}

/// A local execution.
public struct ExecutionRecord: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case executing = "Executing"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case interrupted = "Interrupted"
        /// Every failed step was handled by a step that runs on its failure (a DependsOn with
        /// Trigger Failed or Any), as the service reports such executions (SDK v3 step_dependency.py).
        case completedWithFailures = "CompletedWithFailures"
    }

    public var id: String
    public var pipelineName: String
    public var environment: String?
    public var definition: String
    public var status: Status
    public var failureReason: String?
    public var startedAt: String
    public var endedAt: String?
    public var durationSeconds: Double?
    public var pid: Int32
    public var parallelism: Int
    public var isolation: String
    public var cache: Bool
    public var parameters: [String: Node]
    public var steps: [StepRecord]

    /// Pretty, key-sorted JSON, as stored on disk and printed by `run --format json`.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A record left as Executing by a process that no longer runs was interrupted.
    public var effectiveStatus: Status {
        if status == .executing && kill(pid, 0) != 0 && errno == ESRCH { return .interrupted }
        return status
    }
}

/// Reads and writes execution records under `<state>/executions/<id>/execution.json`, atomically.
public struct ExecutionStore: Sendable {
    public let directory: String

    public init(stateDirectory: String) {
        directory = stateDirectory + "/executions"
    }

    public func folder(for id: String) -> String { directory + "/" + id }

    /// Writes the record (atomically and durably) and returns the bytes written.
    @discardableResult
    public func save(_ record: ExecutionRecord) throws(PipeOpsError) -> Data {
        guard let data = try? record.jsonData() else { throw .message("cannot encode the execution record") }
        try AtomicFile.write(data, to: folder(for: record.id) + "/execution.json")
        return data
    }

    public func load(_ id: String) throws(PipeOpsError) -> ExecutionRecord {
        let path = folder(for: id) + "/execution.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .message("no execution '\(id)' under \(directory); 'pipeops executions list' shows them")
        }
        do { return try JSONDecoder().decode(ExecutionRecord.self, from: data) } catch {
            throw .message("\(path) is not a readable execution record: \(error.localizedDescription)")
        }
    }

    /// Every readable record, newest first.
    public func list() -> [ExecutionRecord] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return ids.compactMap { try? load($0) }.sorted { $0.startedAt > $1.startedAt }
    }
}
