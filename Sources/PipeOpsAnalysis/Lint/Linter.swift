import Foundation
import PipeOpsModel

/// Settings for one lint run: what is switched off and what property files contain.
public struct LintOptions: Sendable {
    /// Rule ids disabled everywhere (`lint.disable` in pipeops.yaml).
    public var disabled: Set<String>
    /// Rule ids disabled for one step (`lint.steps.<Step>.disable`).
    public var disabledForStep: [String: Set<String>]
    public var propertySamples: [String: PropertySample]
    /// The SageMaker API model definitions are checked against: the embedded one, a newer one
    /// read from a Python definition's interpreter, or `lint --api-model FILE`.
    public var apiModel: ServiceShapes
    /// The environment files are shared by several pipelines (`pipelines:` in pipeops.yaml): a
    /// value for a parameter this pipeline does not declare is another pipeline's, not a mistake
    /// (the product lint checks that some pipeline declares it).
    public var sharedEnvironments = false

    public init(
        disabled: Set<String> = [], disabledForStep: [String: Set<String>] = [:], propertySamples: [String: PropertySample] = [:],
        apiModel: ServiceShapes = .shared
    ) {
        self.disabled = disabled
        self.disabledForStep = disabledForStep
        self.propertySamples = propertySamples
        self.apiModel = apiModel
    }
}

/// Runs the rules over definitions, environment files and manifests.
public struct Linter: Sendable {
    public var options: LintOptions

    public init(options: LintOptions = LintOptions()) {
        self.options = options
    }

    /// Lints one definition file. I/O problems throw; content problems are findings.
    public func lintDefinition(atPath path: String) throws(PipeOpsError) -> [Finding] {
        do {
            return lint(definition: try DocumentLoader.load(path: path))
        } catch {
            let mapped = error.toolError(syntax: .finding)
            if case .findings(let findings) = mapped { return findings }
            throw mapped
        }
    }

    /// Lints a loaded definition.
    public func lint(definition document: Document) -> [Finding] {
        let pipeline = Pipeline(document: document)
        return run(LintContext(document: document, role: .definition, pipeline: pipeline, propertySamples: options.propertySamples))
    }

    /// Lints an environment file against the definition it parameterises.
    /// `siblings`: the other environments' parameter values, when known (the leak rule needs them).
    public func lint(
        environment document: Document, named name: String, against pipeline: Pipeline?, siblings: [String: [String: Node]]? = nil,
        manifestRoleArn: String? = nil, artifactURIs: [String] = []
    ) -> [Finding] {
        let context = LintContext(document: document, role: .environment(name), pipeline: pipeline)
        context.sharedEnvironments = options.sharedEnvironments
        context.siblings = siblings
        context.manifestRoleArn = manifestRoleArn
        context.artifactURIs = artifactURIs
        return run(context)
    }

    /// Lints the manifest itself.
    public func lint(manifest: Manifest) -> [Finding] {
        run(LintContext(document: manifest.document, role: .manifest, pipeline: nil, manifest: manifest))
    }

    func run(_ context: LintContext) -> [Finding] {
        context.shapes = options.apiModel
        let rules = RuleRegistry.rules.filter { !options.disabled.contains($0.description.id) }
        let found = Self.check(rules, context, workers: Self.workers(for: context.document))
        ExitRetention.keep(context)
        return suppress(found.flatMap { $0 }, in: context)
    }

    /// One rule's findings, capped.
    static func check(_ rule: any Rule.Type, _ context: LintContext) -> [Finding] {
        var sink = FindingSink(rule: rule.description, file: context.document.path)
        rule.init().check(context, into: &sink)
        return capped(sink.findings, rule: rule.description)
    }

    /// At most this many findings of one rule in one file: a file with a million bad entries
    /// gets the first ones and a count, not a million lines.
    public static let findingsPerRule = 200

    static func capped(_ findings: [Finding], rule: RuleDescription) -> [Finding] {
        guard findings.count > findingsPerRule, let last = findings.prefix(findingsPerRule).last else { return findings }
        var kept = Array(findings.prefix(findingsPerRule))
        kept.append(
            Finding(
                rule: rule.id, severity: .info,
                message:
                    "\(findings.count - findingsPerRule) more findings of \(rule.id) in this file are not shown (the first \(findingsPerRule) are)",
                file: last.file, location: last.location, step: nil))
        return kept
    }

    /// Applies per-step disables from the manifest and `# pipeops: disable=` comments.
    ///
    /// A comment inside a step's lines silences those rules for that step's findings; a comment
    /// outside every step silences them on its own line and the next.
    func suppress(_ findings: [Finding], in context: LintContext) -> [Finding] {
        let comments = context.document.suppressionComments
        guard !comments.isEmpty || !options.disabledForStep.isEmpty else { return findings }
        var spans: [String: (ClosedRange<Int>)] = [:]
        var stepLines = IndexSet()
        if let pipeline = context.definition, !comments.isEmpty {
            for step in pipeline.steps where spans[step.name] == nil {
                let range = step.node.location.line...max(step.node.location.line, step.node.lastLocation.line)
                spans[step.name] = range
                stepLines.insert(integersIn: range.lowerBound..<(range.upperBound + 1))
            }
        }
        return findings.filter { finding in
            if let step = finding.step {
                if options.disabledForStep[step]?.contains(finding.rule) == true { return false }
                if let span = spans[step] {
                    for (line, rules) in comments where span.contains(line) && rules.contains(finding.rule) { return false }
                }
            }
            for line in [finding.location.line, finding.location.line - 1] {
                if let rules = comments[line], rules.contains(finding.rule), !stepLines.contains(line) || line == finding.location.line {
                    return false
                }
            }
            return true
        }
    }
}
