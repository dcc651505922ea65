import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// `pipeops cache explain`: what the next run does with each cacheable step, and why.
///
/// Steps are visited in dependency order with the engine's own key function (the service's key
/// attributes per step type, after resolving expressions). A step predicted to hit lends its
/// cached properties to the steps after it; a step that runs again lends only what its request
/// echoes (output URIs, channels), so a dependent whose key takes a generated value from it (a
/// job name, a model artifact) is predicted to run again too, and says so.
public struct CacheExplainer {
    public enum Verdict: String, Sendable, Codable {
        case hit, miss, expired
        case notCacheable = "not-cacheable"
        case disabled
    }

    public typealias Change = NodeDiff.Change

    public struct Prediction: Sendable {
        public var step: String
        public var type: String
        public var verdict: Verdict
        public var key: String?
        /// The execution a hit (or the compared entry of a miss) comes from.
        public var sourceExecution: String?
        public var reasons: [String]
        public var changes: [Change]
        /// Things known to defeat caching on the service, found in this step.
        public var warnings: [String]
    }

    let pipeline: Pipeline
    let options: LocalEngine.Options
    let cache: StepCache
    let s3: LocalS3
    /// Compare misses with the entry of this execution instead of the newest one.
    let against: String?

    public init(pipeline: Pipeline, options: LocalEngine.Options, against: String? = nil) {
        self.pipeline = pipeline
        self.options = options
        self.against = against
        cache = StepCache(directory: options.stateDirectory + "/cache/" + LocalEngine.safeName(options.pipelineName))
        s3 = LocalS3(root: options.stateDirectory + "/s3", mounts: options.s3Mounts)
    }

    final class Known: @unchecked Sendable {
        var properties: [String: Node] = [:]
        /// Steps that run again (or every time): what they lend is only their request's echo.
        var rerun: Set<String> = []
        var asked: Set<String> = []
    }

    public func explain(only: Set<String> = []) throws(PipeOpsError) -> [Prediction] {
        guard case .success(let order) = DependencyGraph(pipeline: pipeline).topologicalOrder() else {
            throw .message("the definition has a dependency cycle; 'pipeops lint' names it")
        }
        let entries = cache.entries()
        let known = Known()
        var predictions: [Prediction] = []
        for index in order {
            let step = pipeline.steps[index]
            guard step.forEachParent == nil else { continue } // ForEach bodies run per item
            let prediction = predict(step, known: known, entries: entries)
            if prediction.verdict != .hit { known.rerun.insert(step.name) }
            if only.isEmpty || only.contains(step.name) { predictions.append(prediction) }
        }
        return predictions
    }

    private func predict(_ step: Step, known: Known, entries: [StepCache.Entry]) -> Prediction {
        var prediction = Prediction(
            step: step.name, type: step.type?.rawValue ?? "?", verdict: .notCacheable, key: nil, sourceExecution: nil, reasons: [],
            changes: [], warnings: [])
        let context = RuntimeContext(
            pipeline: pipeline, pipelineName: options.pipelineName, executionId: "next-run", startTime: Date(),
            parameters: options.parameters,
            properties: { name in
                known.asked.insert(name)
                return known.properties[name]
            }, s3: s3, jobName: nil, stepType: step.type)
        known.asked = []
        let resolved = try? Evaluator.resolve(step.arguments ?? Node(.object([])), context)
        // What later steps may take from this one: cached properties on a hit, else the echo.
        if let resolved { known.properties[step.name] = resolved }

        guard step.type?.supportsCaching == true else {
            prediction.reasons = ["\(step.type?.rawValue ?? "this") steps are not cached; it runs every time"]
            return prediction
        }
        let cacheConfig = step.node["CacheConfig"]
        guard cacheConfig?["Enabled"]?.bool == true, options.useCache else {
            prediction.verdict = .disabled
            prediction.reasons = [options.useCache ? "CacheConfig.Enabled is not true" : "--no-cache"]
            return prediction
        }
        let expireAfter = cacheConfig?["ExpireAfter"]?.string
        prediction.warnings = warnings(step, expireAfter: expireAfter)
        let rerunInputs = known.asked.intersection(known.rerun).sorted()
        guard let resolved else {
            prediction.verdict = .miss
            prediction.reasons =
                rerunInputs.isEmpty
                ? ["its arguments cannot be resolved before the run"]
                : rerunInputs.map { "its key takes a value \($0) generates anew (\($0) runs again)" }
            return prediction
        }
        let attributes = StepCache.attributes(step: step, arguments: resolved, standIn: options.standIns[step.name])
        let key = StepCache.key(attributes: attributes)
        prediction.key = key
        let sameStep = entries.filter { $0.step == step.name }.sorted { $0.completedAt < $1.completedAt }
        if let entry = entries.first(where: { $0.key == key }) {
            if let hit = cache.lookup(key, expireAfter: expireAfter) {
                prediction.verdict = .hit
                prediction.sourceExecution = hit.execution
                prediction.reasons = ["same key as the result of execution \(hit.execution) (\(hit.completedAt))"]
                known.properties[step.name] = hit.properties
                return prediction
            }
            prediction.verdict = .expired
            prediction.sourceExecution = entry.execution
            prediction.reasons = ["the result of execution \(entry.execution) is older than ExpireAfter \(expireAfter ?? "")"]
            return prediction
        }
        prediction.verdict = .miss
        // Explain against the nearest earlier key (fewest differing attributes, then the newest):
        // after a staging run and a dev run, a dev change is best told against the dev run.
        let candidates = sameStep.enumerated().compactMap { offset, entry in
            entry.attributes.map { (offset: offset, entry: entry, changes: NodeDiff.changes($0, attributes)) }
        }
        let chosen =
            against.map { id in candidates.last { $0.entry.execution == id } }
            ?? candidates.min { a, b in a.changes.count != b.changes.count ? a.changes.count < b.changes.count : a.offset > b.offset }
        let compared = chosen?.entry ?? against.map { id in sameStep.last { $0.execution == id } } ?? sameStep.last
        if let compared {
            prediction.sourceExecution = compared.execution
            if let changes = chosen?.changes {
                prediction.changes = changes
                prediction.reasons = [
                    "key attributes differ from execution \(compared.execution)'s: \(prediction.changes.prefix(4).map(\.path).joined(separator: ", "))"
                ]
            } else {
                prediction.reasons = ["no key recorded for execution \(compared.execution) (cached by an older pipeops)"]
            }
        } else {
            prediction.reasons = [
                against.map { "execution \($0) has no cached result of this step" } ?? "no cached result of this step yet"
            ]
        }
        if !rerunInputs.isEmpty {
            prediction.reasons.append(contentsOf: rerunInputs.map { "takes values from \($0), which runs again" })
        }
        return prediction
    }

    /// Fields known to defeat caching on the service.
    func warnings(_ step: Step, expireAfter: String?) -> [String] {
        var found: [String] = []
        if expireAfter == nil { found.append("no ExpireAfter: a cached result is reused forever") }
        if let text = expireAfter, text.uppercased().range(of: #"^P[0-9]+M$"#, options: .regularExpression) != nil {
            found.append(
                "ExpireAfter \(text) is \(text.dropFirst().dropLast()) months (PT\(text.dropFirst().dropLast())M would be minutes)")
        }
        guard let type = step.type, let arguments = step.arguments else { return found }
        for attribute in type.kind?.cacheKeyAttributes ?? [] {
            guard let node = arguments[attribute] else { continue }
            Self.visit(node, path: attribute) { path, value in
                if case .object = value.value, let get = value["Get"]?.string, get.hasPrefix("Execution.") {
                    found.append("\(path) takes \(get), which is new in every execution: the step never hits the cache")
                }
                if case .string(let text) = value.value {
                    if path.hasSuffix("sagemaker_job_name") {
                        found.append("\(path) names the job; the SDK changes it on every upsert, so the step misses after each one")
                    }
                    if text.range(of: #"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"#, options: .regularExpression) != nil {
                        found.append("\(path) holds a timestamp (\(text.prefix(80))): a new one misses the cache")
                    }
                }
            }
        }
        return found
    }

    static func visit(_ node: Node, path: String, _ body: (String, Node) -> Void) {
        body(path, node)
        switch node.value {
        case .object(let members):
            if members.count == 1, members[0].key == "Get" || members[0].key.hasPrefix("Std:") { return }
            for member in members { visit(member.value, path: path + "." + member.key, body) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { visit(element, path: path + "[\(index)]", body) }
        default: break
        }
    }

}
