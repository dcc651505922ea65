import Foundation
import PipeOpsModel

/// What a property file really contains, for checking `Std:JsonGet` paths.
public enum PropertySample: Sendable {
    /// An example of the file (e.g. a real evaluation report).
    case sample(Node, source: String)
    /// A JSON Schema the file follows.
    case schema(Node, source: String)

    public var source: String {
        switch self {
        case .sample(_, let source), .schema(_, let source): return source
        }
    }
}

/// Everything a rule may read about the file being linted. Derived data (graph, order) is
/// computed once, on first use, and shared by every rule.
public final class LintContext: @unchecked Sendable {
    public enum Role: Sendable, Equatable {
        /// A pipeline definition.
        case definition
        /// An environment parameter-set file for the named environment.
        case environment(String)
        /// The product manifest, pipeops.yaml.
        case manifest
    }

    public let document: Document
    public let role: Role
    /// The definition: the file itself for `.definition`, the manifest's definition for `.environment`.
    public let pipeline: Pipeline?
    public let propertySamples: [String: PropertySample]
    /// The manifest, when linting a manifest.
    public let manifest: Manifest?
    /// For an environment file: the other environments' parameter values, when known.
    public var siblings: [String: [String: Node]]?
    /// See `LintOptions.sharedEnvironments`.
    public var sharedEnvironments = false
    /// For an environment file: the manifest's default role (the environment's account when it sets none).
    public var manifestRoleArn: String?
    /// For an environment file: S3 URIs (or prefixes, ending in /) of the product's code, the
    /// manifest's `code:` prefixes and what a Python compile uploaded: no environment's own data.
    public var artifactURIs: [String] = []
    /// The SageMaker API model the definition is checked against (see `LintOptions.apiModel`).
    public var shapes: ServiceShapes = .shared

    public init(
        document: Document, role: Role, pipeline: Pipeline?, propertySamples: [String: PropertySample] = [:],
        manifest: Manifest? = nil
    ) {
        self.document = document
        self.role = role
        self.pipeline = pipeline
        self.propertySamples = propertySamples
        self.manifest = manifest
    }

    /// The definition being linted, when this file is one.
    public var definition: Pipeline? { role == .definition ? pipeline : nil }

    public private(set) lazy var graph: DependencyGraph? = definition.map(DependencyGraph.init)

    private var resolutions: [String: (resolution: StepProperties.Resolution, scalarType: String?)] = [:]
    private let resolutionsLock = NSLock()

    /// Makes the lazily built answers now, so that rules on several threads only read them.
    func prepareForSharing() {
        _ = graph
        _ = references
        _ = order
    }

    /// Every `Get` of the definition with its node and step, collected on first use.
    private(set) lazy var references: [(Reference, Node, Step)] = LintContext.collectReferences(definition)

    /// How `Steps.<step><path>` resolves (parsed and checked once per distinct reference text).
    /// Nil when the path does not parse or the step does not exist.
    func resolution(of reference: Reference) -> StepProperties.Resolution? {
        resolved(reference)?.resolution
    }

    /// The scalar type a step property has (`StepProperties.scalarType`), from the same cache.
    func scalarType(of reference: Reference) -> String? {
        resolved(reference)?.scalarType
    }

    private func resolved(_ reference: Reference) -> (resolution: StepProperties.Resolution, scalarType: String?)? {
        guard case .stepProperty(let name, let text) = reference, let pipeline = definition, let target = pipeline.step(named: name) else {
            return nil
        }
        let key = reference.text
        if let cached = resolutionsLock.withLock({ resolutions[key] }) { return cached }
        guard case .success(let path) = PropertyPath.parseProperty(text) else { return nil }
        let resolved = StepProperties.resolveWithType(path, on: target, in: pipeline, shapes: shapes)
        resolutionsLock.withLock { resolutions[key] = resolved }
        return resolved
    }

    /// Topological order, or nil when the graph has a cycle.
    public private(set) lazy var order: [Int]? = {
        guard let graph else { return nil }
        if case .success(let order) = graph.topologicalOrder() { return order }
        return nil
    }()
}
