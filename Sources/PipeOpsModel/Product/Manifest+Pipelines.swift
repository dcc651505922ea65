import Foundation

/// One pipeline of a product: `pipeline:` in pipeops.yaml, or one entry of `pipelines:` for a
/// repository that holds several (a training and a batch-inference pipeline, say).
public struct PipelineEntry: Sendable {
    /// How commands name it (`--pipeline KEY`): the `pipelines:` key, or the name of the one pipeline.
    public var key: String
    public var pipelineName: String?
    public var definition: String?
    public var roleArn: String?
    public var pythonKwargs: Node?
    public var python: String?
    public var compileTimeout: Double?
    public var pythonPath: [String] = []
    public var compileVariables: Node?
    public var offlineAnswers: Node?
    /// `requirements`: files pipeops makes the compile venv from (unless `python` names one).
    public var requirements: [String] = []
    public var node: Node
    /// Where its keys are in messages (`pipeline`, `pipelines.training`).
    public var context: String
}

extension Manifest {
    /// Whether pipeops.yaml lists several pipelines (`pipelines:`): commands then take `--pipeline`.
    public var hasSeveralPipelines: Bool { pipelines.count > 1 }

    /// The manifest seen through one of its pipelines: `pipelineName`, `definition`, `kwargs`, …
    /// are that pipeline's. Nil `key` is the only pipeline; with several, it must be named.
    public func selecting(_ key: String?) throws(PipeOpsError) -> Manifest {
        let keys = pipelines.map(\.key)
        guard let key else {
            if pipelines.count > 1 {
                throw .invalidArgument(
                    "pipeops.yaml defines \(pipelines.count) pipelines (\(keys.joined(separator: ", "))): name one with --pipeline NAME")
            }
            return self
        }
        guard let entry = pipelines.first(where: { $0.key == key || $0.pipelineName == key }) else {
            throw .invalidArgument(
                "pipeops.yaml has no pipeline '\(key)'\(Suggestion.didYouMean(key, in: keys)) (it defines: \(keys.isEmpty ? "none" : keys.joined(separator: ", ")))"
            )
        }
        var selected = self
        selected.apply(entry)
        selected.selectedPipeline = pipelines.count > 1 ? entry.key : nil
        return selected
    }

    /// The manifest through each of its pipelines, in the order pipeops.yaml lists them.
    public var eachPipeline: [Manifest] {
        guard pipelines.count > 1 else { return [self] }
        return pipelines.compactMap { try? selecting($0.key) }
    }

    mutating func apply(_ entry: PipelineEntry) {
        pipelineName = entry.pipelineName
        definition = entry.definition
        roleArn = entry.roleArn
        pythonKwargs = entry.pythonKwargs
        python = entry.python
        compileTimeout = entry.compileTimeout
        pythonPath = entry.pythonPath
        compileVariables = entry.compileVariables
        offlineAnswers = entry.offlineAnswers
        compileRequirements = entry.requirements
    }

    /// `pipeline:` (one) or `pipelines:` (several, by key); the first is applied until one is selected.
    mutating func readPipelines(_ root: Node, _ reader: inout StructureReader) {
        if root["pipeline"] != nil && root["pipelines"] != nil {
            reader.problem(
                "pipeops.yaml has both 'pipeline' and 'pipelines': keep 'pipeline' for one pipeline, or list every one under 'pipelines'",
                at: root["pipelines"]!)
        }
        if let several = root["pipelines"] {
            guard let members = several.members, !members.isEmpty else {
                reader.problem("pipelines must map a name to each pipeline, such as { training: { name: …, definition: … } }", at: several)
                return
            }
            for member in members {
                guard member.value.members != nil else {
                    reader.problem("pipelines.\(member.key) must be a mapping with name and definition", at: member.value)
                    continue
                }
                if let entry = Self.readPipeline(member.value, key: member.key, context: "pipelines.\(member.key)", &reader) {
                    pipelines.append(entry)
                }
            }
        } else if let pipeline = reader.object(root, "pipeline", in: "pipeops.yaml", required: true),
            let entry = Self.readPipeline(pipeline, key: nil, context: "pipeline", &reader)
        {
            pipelines.append(entry)
        }
        let names = pipelines.compactMap(\.pipelineName)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            reader.problem("two pipelines are named '\(twice)': each pipeline needs a name of its own", at: root["pipelines"] ?? root)
        }
        if let first = pipelines.first { apply(first) }
    }

    static func readPipeline(_ pipeline: Node, key: String?, context: String, _ reader: inout StructureReader) -> PipelineEntry? {
        reader.allowOnly(pipeline, Keys.pipeline, in: context)
        let name = reader.string(pipeline, "name", in: context, required: true)
        var entry = PipelineEntry(key: key ?? name ?? "pipeline", node: pipeline, context: context)
        entry.pipelineName = name
        entry.pythonPath = reader.stringList(pipeline, "pythonPath", in: context) ?? []
        entry.compileVariables = reader.object(pipeline, "variables", in: context)
        for variable in entry.compileVariables?.members ?? [] where variable.value.string == nil {
            reader.problem("\(context).variables.\(variable.key) must be a string", at: variable.value)
        }
        entry.definition = reader.string(pipeline, "definition", in: context, required: true)
        entry.roleArn = reader.string(pipeline, "roleArn", in: context)
        entry.pythonKwargs = reader.object(pipeline, "kwargs", in: context)
        entry.offlineAnswers = reader.object(pipeline, "offline", in: context)
        for answer in entry.offlineAnswers?.members ?? [] {
            let parts = answer.key.split(separator: ".")
            if parts.count != 2 || parts[1].first?.isUppercase != true {
                reader.problem(
                    "\(context).offline key '\(answer.key)' must name a call as service.Operation, e.g. sagemaker.ListModelPackages",
                    at: answer.value)
            } else if answer.value.members == nil {
                reader.problem("\(context).offline.\(answer.key) must be the call's response, a mapping", at: answer.value)
            }
        }
        entry.python = reader.string(pipeline, "python", in: context)
        if let node = pipeline["requirements"] {
            if let one = node.string {
                entry.requirements = [one]
            } else {
                entry.requirements = reader.stringList(pipeline, "requirements", in: context) ?? []
            }
        }
        if let timeout = pipeline["compileTimeout"] {
            if let seconds = timeout.double, seconds > 0 {
                entry.compileTimeout = seconds
            } else {
                reader.problem("\(context).compileTimeout must be a positive number of seconds, not \(timeout.brief)", at: timeout)
            }
        }
        return entry
    }
}
