/// Step types the service knows. Unknown strings are kept as `.unknown` so lint can name them.
/// Everything pipeops knows of a type is in its descriptor, `kind` (StepKind+Catalog.swift).
public enum StepType: Hashable, Sendable, CustomStringConvertible {
    case processing, training, transform, tuning, model, registerModel, condition, fail, lambda, callback
    case qualityCheck, clarifyCheck, emr, emrServerless, autoML, endpointConfig, endpoint, inferenceComponent
    case lineage, forEach
    /// SDK v3 `JobStep`: a CreateJob request (JobCategory and a JSON JobConfigDocument).
    case job
    /// SDK v3 `CleanupStep`: deletes the S3 outputs of the steps it names.
    case cleanup
    case unknown(String)

    /// Every type with a descriptor, in the catalog's order.
    public static var known: [StepType] { StepKind.catalog.map(\.type) }

    public init(_ string: String) {
        self = StepKind.byName[string]?.type ?? .unknown(string)
    }

    /// The descriptor; nil for a type pipeops does not know.
    public var kind: StepKind? { StepKind.byType[self] }

    /// The `Type` string of a definition.
    public var rawValue: String {
        if case .unknown(let string) = self { return string }
        return kind?.name ?? ""
    }

    public var description: String { rawValue }

    public var isKnown: Bool { kind != nil }

    /// Step types whose results the service can reuse from a previous execution (AWS caching doc, SDK).
    public var supportsCaching: Bool { kind?.supportsCaching ?? false }

    /// Step types that accept `RetryPolicies` (AWS retry-policy doc, SDK step classes).
    public var supportsRetry: Bool { kind?.supportsRetry ?? false }
}

/// One step type's descriptor: all pipeops knows of it, in one place. Adding a step type is one
/// entry in `StepKind.catalog` plus, to run it locally, one runner (PipeOpsEngine's `StepRunners`).
public struct StepKind: Sendable {
    /// What `Steps.<Name>.…` can read.
    public enum Properties: Sendable {
        /// The Describe* response of the job behind the step (a botocore shape).
        case shape(String)
        /// A small fixed set of members, built when asked (no heap value lives in the static
        /// catalog inside an enum payload, where a leak checker cannot follow the tagged pointer).
        case fixed(@Sendable () -> [String: StepProperties.Node])
        /// `OutputParameters['name']`, keyed by the step's declared outputs (Lambda, Callback).
        case outputParameters
        /// Nothing can be read (Fail), or the type is resolved by its own rules (ForEach).
        case none
    }

    /// How the local engine runs it.
    public enum LocalRun: Sendable, Equatable {
        /// pipeops emulates it; a `local.steps` command, when given, runs instead where the runner allows.
        case emulated
        /// Its outputs come from a stand-in command or fixed `local.steps.<name>.outputs`.
        case outputs
        /// Only a stand-in command can take its place.
        case standInOnly
    }

    public let type: StepType
    /// The `Type` string.
    public let name: String
    public var supportsCaching = false
    public var supportsRetry = false
    /// The request shape its `Arguments` mirror, and the members the SDK leaves out of it.
    public var arguments: (shape: String, removed: Set<String>)?
    public var properties: Properties = .none
    /// Members the service adds beyond the Describe* response, from the API model.
    public var propertyExtras: @Sendable (ServiceShapes) -> [String: StepProperties.Node] = { _ in [:] }
    /// The arguments the service's cache key is computed from (AWS caching doc); nil: all of them.
    public var cacheKeyAttributes: [String]?
    /// The Describe* status member a failed job still exposes (`ProcessingJobStatus`).
    public var failedStatusField: String?
    /// Keys the step object has beyond the common ones (Name, Type, Arguments, DependsOn, …).
    public var stepKeys: [String: KeyKind] = [:]
    /// Common keys it does not take.
    public var removedKeys: [String] = []
    /// Keys it requires beyond Name, Type and Arguments.
    public var requiredKeys: [String] = []
    /// The keys of its `Arguments` when pipeops checks them itself (no API shape).
    public var argumentKeys: [String: KeyKind]?
    /// The execution variable that names its job (`Execution.TrainingJobName`).
    public var jobNameVariable: String?
    public var localRun: LocalRun = .standInOnly

    public init(_ type: StepType, _ name: String) {
        self.type = type
        self.name = name
    }

    /// Every descriptor by type and by `Type` string.
    public static let byType: [StepType: StepKind] = Dictionary(uniqueKeysWithValues: catalog.map { ($0.type, $0) })
    public static let byName: [String: StepKind] = Dictionary(uniqueKeysWithValues: catalog.map { ($0.name, $0) })
}
