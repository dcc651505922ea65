import Foundation
import PipeOpsAWS
import PipeOpsModel
import PipeOpsRelease

/// A pipeline as SageMaker holds it: DescribePipeline and ListTags, read for `plan` and `status`.
public struct DeployedPipeline: Sendable {
    public var name: String
    public var arn: String
    /// The definition as SageMaker returns it (parsed; nil when it is not JSON).
    public var definition: Node?
    public var definitionText: String
    public var roleArn: String?
    public var displayName: String?
    public var description: String?
    public var parallelism: Int?
    public var lastModified: String?
    public var tags: [String: String]

    /// The commit its `pipeops:git-commit` stamp names (nil: never upserted by pipeops).
    public var stampedCommit: String? { tags["pipeops:git-commit"] }

    /// Nil when no pipeline of that name exists.
    static func read(_ name: String, client: SageMakerClient) throws(SageMakerClient.CallError) -> DeployedPipeline? {
        let described: Node
        do {
            described = try client.call("DescribePipeline", Node(object: [("PipelineName", Node(.string(name)))]))
        } catch .service(let error)
            where error.code == "ResourceNotFound"
            || (error.code == "ValidationException"
                && (error.message.contains("does not exist") || error.message.contains("Could not find")))
        {
            return nil
        }
        let arn = described["PipelineArn"]?.string ?? ""
        var tags: [String: String] = [:]
        for (key, value) in try Deployer.listTags(arn, client: client) { tags[key] = value }
        let text = described["PipelineDefinition"]?.string ?? ""
        return DeployedPipeline(
            name: name, arn: arn, definition: try? DocumentLoader.parse(data: Data(text.utf8), path: "deployed", syntax: .json).root,
            definitionText: text, roleArn: described["RoleArn"]?.string, displayName: described["PipelineDisplayName"]?.string,
            description: described["PipelineDescription"]?.string,
            parallelism: described["ParallelismConfiguration"]?["MaxParallelExecutionSteps"]?.int,
            lastModified: described["LastModifiedTime"].map { $0.string ?? CanonicalJSON.string($0) }, tags: tags)
    }
}

/// What differs between a deployed pipeline and a rendering: the service's view of an upsert.
public struct DeploymentDifference: Sendable {
    public struct StepChange: Sendable {
        public var step: String
        /// added, removed or changed.
        public var kind: String
        public var changes: [NodeDiff.Change]
    }

    public var steps: [StepChange] = []
    public var parameters: [NodeDiff.Change] = []
    /// Other parts of the definition (Version, PipelineExperimentConfig, Metadata, …).
    public var definition: [NodeDiff.Change] = []
    /// Role, parallelism, display name, description.
    public var settings: [NodeDiff.Change] = []
    /// Tags the upsert sets that differ (a tag only the deployed pipeline has is kept by upsert).
    public var tags: [NodeDiff.Change] = []

    public var isEmpty: Bool { steps.isEmpty && parameters.isEmpty && definition.isEmpty && settings.isEmpty && tags.isEmpty }

    /// Every change named by its place: `Steps.Train.Arguments.…`, `RoleArn`, `tag team`.
    public var fieldPaths: [String] {
        steps.flatMap { step in
            step.kind == "changed"
                ? step.changes.map { "Steps.\(step.step)\($0.path.isEmpty ? "" : "." + $0.path)" } : ["Steps.\(step.step) (\(step.kind))"]
        }
            + parameters.map { "Parameters.\($0.path)" } + definition.map(\.path) + settings.map(\.path) + tags.map { "tag \($0.path)" }
    }

    static func named(_ list: Node?) -> [(String, Node)] {
        (list?.elements ?? []).compactMap { item in item["Name"]?.string.map { ($0, item) } }
    }

    /// `deployed` against `rendered`'s CreatePipeline request.
    static func compare(_ deployed: DeployedPipeline, _ rendered: RenderedEnvironment) -> DeploymentDifference {
        var difference = DeploymentDifference()
        let ours = rendered.definition
        let theirs = deployed.definition ?? Node(.object([]))
        let oldSteps = named(theirs["Steps"])
        let newSteps = named(ours["Steps"])
        for (name, step) in newSteps {
            if let old = oldSteps.first(where: { $0.0 == name })?.1 {
                let changes = NodeDiff.changes(old, step)
                if !changes.isEmpty { difference.steps.append(StepChange(step: name, kind: "changed", changes: changes)) }
            } else {
                difference.steps.append(StepChange(step: name, kind: "added", changes: []))
            }
        }
        for (name, _) in oldSteps where !newSteps.contains(where: { $0.0 == name }) {
            difference.steps.append(StepChange(step: name, kind: "removed", changes: []))
        }
        let oldParameters = named(theirs["Parameters"])
        let newParameters = named(ours["Parameters"])
        for (name, parameter) in newParameters {
            if let old = oldParameters.first(where: { $0.0 == name })?.1 {
                difference.parameters += NodeDiff.changes(old, parameter, path: name)
            } else {
                difference.parameters.append(NodeDiff.Change(path: name, old: nil, new: parameter["Type"]?.string ?? "added"))
            }
        }
        for (name, parameter) in oldParameters where !newParameters.contains(where: { $0.0 == name }) {
            difference.parameters.append(NodeDiff.Change(path: name, old: parameter["Type"]?.string ?? "present", new: nil))
        }
        let keys = Set((ours.members ?? []).map(\.key)).union((theirs.members ?? []).map(\.key)).subtracting(["Steps", "Parameters"])
        for key in keys.sorted() {
            difference.definition += NodeDiff.changes(theirs[key] ?? Node(.null), ours[key] ?? Node(.null), path: key)
        }
        let request = rendered.request
        let settings: [(String, String?, String?)] = [
            ("RoleArn", deployed.roleArn, request["RoleArn"]?.string),
            (
                "ParallelismConfiguration.MaxParallelExecutionSteps", deployed.parallelism.map(String.init),
                request["ParallelismConfiguration"]?["MaxParallelExecutionSteps"]?.int.map(String.init)
            ),
            ("PipelineDisplayName", deployed.displayName, request["PipelineDisplayName"]?.string),
            ("PipelineDescription", deployed.description, request["PipelineDescription"]?.string),
        ]
        for (path, old, new) in settings where old != new && new != nil {
            difference.settings.append(NodeDiff.Change(path: path, old: old, new: new))
        }
        for (key, value) in rendered.tags where deployed.tags[key] != value {
            difference.tags.append(NodeDiff.Change(path: key, old: deployed.tags[key], new: value))
        }
        return difference
    }
}
