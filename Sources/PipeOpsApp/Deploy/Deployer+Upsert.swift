import Crypto
import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// Upserts that converge: each call says what it left, and a state that is not one commit's is
/// applied again (see `Deployer.upsert`).
extension Deployer {
    static let convergenceRounds = 5

    /// UpdatePipeline, then the stamp tags. A failure says which call failed and what state the
    /// pipeline is left in; the next upsert repairs it (both calls are idempotent).
    static func updateAndTag(_ rendered: RenderedEnvironment, update: Node, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> (arn: String, version: Int?, tags: [(key: String, value: String)])
    {
        let name = rendered.environment.pipelineName
        let answer: Node
        do { answer = try client.call("UpdatePipeline", update) } catch {
            throw .tool(
                .message(
                    "UpdatePipeline of \(name) failed (\(error.description)); the pipeline may be unchanged or updated, its stamp tags are the previous commit's: run the upsert again"
                ))
        }
        let arn = answer["PipelineArn"]?.string ?? ""
        do {
            // Keep existing tags whose keys are not being replaced, then add the merged set.
            var merged: [(key: String, value: String)] = []
            var current: [String: String] = [:]
            let newKeys = Set(rendered.tags.map(\.key))
            for (key, value) in try listTags(arn, client: client) {
                current[key] = value
                guard !newKeys.contains(key) else { continue }
                if let index = merged.firstIndex(where: { $0.key == key }) {
                    merged[index].value = value
                } else {
                    merged.append((key, value))
                }
            }
            merged += rendered.tags
            // AddTags overwrites the keys it names and leaves the others: send what changed.
            let changed = rendered.tags.filter { current[$0.key] != $0.value }
            if !changed.isEmpty {
                _ = try client.call("AddTags", Node(.object([member("ResourceArn", .string(arn)), member("Tags", tagList(changed))])))
            }
            return (arn, answer["PipelineVersionId"]?.int, merged)
        } catch {
            throw .tool(
                .message(
                    "UpdatePipeline of \(name) succeeded, then AddTags failed (\(error.description)): the pipeline runs the new definition (commit \(rendered.tags.first { $0.key == "pipeops:git-commit" }?.value.prefix(12) ?? "?")) while its stamp tags still name the previous one; run the upsert again to repair it"
                ))
        }
    }

    enum DeployedState {
        /// Exactly `rendered`: its definition and its stamp tags.
        case ours
        /// Another commit's definition with that commit's own stamp tags.
        case otherCommit(String)
        /// A definition and stamp tags of two different upserts.
        case mixed(String)
    }

    /// The definition of the pipeline named `name` as SageMaker holds it now.
    static func deployedDefinition(_ name: String, client: SageMakerClient) throws(SageMakerClient.CallError) -> String? {
        try client.call("DescribePipeline", Node(object: [("PipelineName", Node(.string(name)))]))["PipelineDefinition"]?.string
    }

    /// What the deployed pipeline is, compared with `rendered`.
    static func deployedState(_ rendered: RenderedEnvironment, arn: String, client: SageMakerClient) throws(SageMakerClient.CallError)
        -> DeployedState
    {
        let name = rendered.environment.pipelineName
        let described = try client.call("DescribePipeline", Node(object: [("PipelineName", Node(.string(name)))]))
        let deployed = described["PipelineDefinition"]?.string ?? ""
        // The last value of a key is the one in force (a service may list a re-added key twice).
        var deployedTags: [String: String] = [:]
        for (key, value) in try listTags(arn, client: client) { deployedTags[key] = value }
        let ours = rendered.request["PipelineDefinition"]?.string ?? ""
        let mismatch = rendered.tags.first { $0.key.hasPrefix("pipeops:") && deployedTags[$0.key] != $0.value }
        if sameDefinition(deployed, ours) && mismatch == nil { return .ours }
        // Consistent with itself: the definition is the one its own stamp tag hashes.
        if let stamped = deployedTags["pipeops:definition-sha256"], SHA256.hash(data: Data(deployed.utf8)).hex == stamped {
            return .otherCommit(deployedTags["pipeops:git-commit"] ?? "?")
        }
        if !sameDefinition(deployed, ours) { return .mixed("the deployed definition is not the one its stamp tags name") }
        return .mixed("its tag \(mismatch?.key ?? "") is '\(deployedTags[mismatch?.key ?? ""] ?? "")', not '\(mismatch?.value ?? "")'")
    }

    /// Every tag of `arn`, in the order the service lists them, every page.
    static func listTags(_ arn: String, client: SageMakerClient) throws(SageMakerClient.CallError) -> [(key: String, value: String)] {
        var all: [(key: String, value: String)] = []
        var next: String?
        var seen: Set<String> = []
        repeat {
            var body: [Node.Member] = [member("ResourceArn", .string(arn)), member("MaxResults", .integer(100))]
            if let next { body.append(member("NextToken", .string(next))) }
            let page = try client.call("ListTags", Node(.object(body)))
            for tag in page["Tags"]?.elements ?? [] {
                if let key = tag["Key"]?.string { all.append((key, tag["Value"]?.string ?? "")) }
            }
            next = page["NextToken"]?.string
            // A token seen before would page in a circle (a service that lists a key twice can).
            if let token = next, !seen.insert(token).inserted { break }
        } while next != nil && seen.count < 100
        return all
    }

    /// Equal as JSON (key order and spacing aside).
    static func sameDefinition(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let left = try? DocumentLoader.parse(data: Data(a.utf8), path: "deployed", syntax: .json).root,
            let right = try? DocumentLoader.parse(data: Data(b.utf8), path: "rendered", syntax: .json).root
        else { return false }
        return CanonicalJSON.string(left, sortKeys: true) == CanonicalJSON.string(right, sortKeys: true)
    }
}
