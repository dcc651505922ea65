import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// The upsert-ready CreatePipeline request of one environment.
public struct RenderedEnvironment: Sendable {
    public var environment: ResolvedEnvironment
    /// The definition sent: the environment's values as parameter defaults, code URIs
    /// content-addressed, images pinned.
    public var definition: Node
    public var hashes: DefinitionHashes
    /// Code files and images the rendering ships.
    public var artifacts: ArtifactSet
    /// The request body (without ClientRequestToken, which each call makes anew).
    public var request: Node
    public var tags: [(key: String, value: String)]

    /// Canonical, deterministic JSON: the same inputs give the same bytes.
    public var json: String { CanonicalJSON.string(request, sortKeys: true, pretty: true) + "\n" }
}

public enum Renderer {
    /// Renders `environment`. `version` adds the git stamp; without it (outside a repository) the
    /// request carries only the definition and environment stamps.
    /// `images` (repository → digest) pins images over the environment's own `images:` map.
    public static func render(
        _ context: ProductContext, environment: ResolvedEnvironment, version: VersionInfo?, images: [String: String] = [:]
    ) throws(PipeOpsError) -> RenderedEnvironment {
        let (definition, hashes, artifacts) = try shipped(context, environment: environment, images: images)
        guard let role = environment.roleArn else {
            throw .message(
                "environment '\(environment.name)' has no role: set roleArn in \(environment.filePath ?? "its environment file") or pipeline.roleArn in pipeops.yaml"
            )
        }
        var tags = environment.tags
        if let version {
            tags.append(("pipeops:git-commit", version.commit))
            tags.append(("pipeops:git-dirty", version.dirty ? "true" : "false"))
            tags.append(("pipeops:version", StampText.tagValue(version.version)))
        }
        tags.append(("pipeops:structure-sha256", hashes.structure))
        tags.append(("pipeops:code-sha256", artifacts.sha256))
        tags.append(("pipeops:definition-sha256", hashes.content))
        tags.append(("pipeops:environment", StampText.tagValue(environment.name)))
        tags.sort { $0.key < $1.key }
        var members: [Node.Member] = [
            member("PipelineName", .string(environment.pipelineName)),
            member("PipelineDefinition", .string(CanonicalJSON.string(definition))),
            member("PipelineDescription", .string(description(environment, version: version, hashes: hashes, artifacts: artifacts))),
            member("RoleArn", .string(role)),
            member("Tags", .array(tags.map { Node(.object([member("Key", .string($0.key)), member("Value", .string($0.value))])) })),
        ]
        if let parallelism = environment.parallelism {
            members.append(member("ParallelismConfiguration", .object([member("MaxParallelExecutionSteps", .integer(parallelism))])))
        }
        return RenderedEnvironment(
            environment: environment, definition: definition, hashes: hashes, artifacts: artifacts, request: Node(.object(members)),
            tags: tags)
    }

    /// The definition `render` sends for `environment`, its hashes and what it ships: the
    /// environment's values as defaults, code URIs content-addressed, images pinned (what a smoke
    /// record states without the rest of the request).
    public static func shipped(_ context: ProductContext, environment: ResolvedEnvironment, images: [String: String] = [:])
        throws(PipeOpsError) -> (definition: Node, hashes: DefinitionHashes, artifacts: ArtifactSet)
    {
        let context = try context.compiled(for: environment)
        let source = applyDefaults(environment.values, to: context.pipeline.root)
        let rewriter = ArtifactRewriter(
            folders: try context.codeFolders(), pins: environment.images.merging(images) { _, flag in flag },
            display: context.definitionPath)
        let (definition, artifacts) = try rewriter.apply(to: source)
        return (definition, DefinitionHashes(source: source, shipped: definition), artifacts)
    }

    /// One line for PipelineDescription: what runs, from which commit, with which hashes and
    /// images (pinned ones by their digest), cut to the service's 3,072 characters.
    static func description(_ environment: ResolvedEnvironment, version: VersionInfo?, hashes: DefinitionHashes, artifacts: ArtifactSet)
        -> String
    {
        var text = "\(environment.pipelineName) for \(environment.name)"
        if let version { text += " · \(version.version) (commit \(version.shortCommit)\(version.dirty ? ", uncommitted changes" : ""))" }
        text += " · structure sha256:\(hashes.structure.prefix(12)) · code sha256:\(artifacts.sha256.prefix(12))"
        let images = artifacts.imageReferences
        if !images.isEmpty { text += " · images: " + images.joined(separator: ", ") }
        text += " · rendered by pipeops \(PipeOpsVersion.current)"
        return String(text.prefix(3072))
    }

    /// The definition with `values` written as the parameters' DefaultValue.
    public static func applyDefaults(_ values: [String: Node], to root: Node) -> Node {
        guard !values.isEmpty, case .object(var members) = root.value,
            let index = members.firstIndex(where: { $0.key == "Parameters" }), case .array(let parameters) = members[index].value.value
        else { return root }
        let updated = parameters.map { parameter -> Node in
            guard case .object(var fields) = parameter.value, let name = parameter["Name"]?.string, let value = values[name] else {
                return parameter
            }
            let stripped = Node(value.value)
            if let existing = fields.firstIndex(where: { $0.key == "DefaultValue" }) {
                fields[existing].value = stripped
            } else {
                fields.append(Node.Member(key: "DefaultValue", keyLocation: .start, value: stripped))
            }
            return Node(.object(fields), at: parameter.location)
        }
        members[index].value = Node(.array(updated), at: members[index].value.location)
        return Node(.object(members), at: root.location)
    }
}
