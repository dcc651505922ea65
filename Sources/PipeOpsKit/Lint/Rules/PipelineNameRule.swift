import Foundation

struct PipelineNameRule: Rule {
    static let description = RuleDescription(
        id: "pipeline-name",
        title: "Pipeline names fit the service's pattern",
        category: .environments,
        severity: .error,
        rationale: """
            A PipelineName is 1–256 letters and digits with single or repeated hyphens between \
            them: no underscores, no leading or trailing hyphen, no dots.
            """,
        triggering: [
            """
            version: 1
            pipeline: { name: ↓churn_model, definition: pipeline/definition.yaml }
            environments:
              dev: { parameters: environments/dev.yaml }
            """
        ],
        nonTriggering: [
            """
            version: 1
            pipeline: { name: churn-model-2, definition: pipeline/definition.yaml }
            environments:
              dev: { parameters: environments/dev.yaml }
            """
        ],
        exampleKind: .manifest)

    /// `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "a pipeline name cannot be empty" }
        guard name.count <= 256 else { return "pipeline name is \(name.count) characters; the limit is 256" }
        if let bad = name.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            return "pipeline name '\(name)' contains '\(bad)'; use letters, digits and hyphens only (e.g. '\(suggest(name))')"
        }
        if name.hasPrefix("-") || name.hasSuffix("-") {
            return "pipeline name '\(name)' must start and end with a letter or digit"
        }
        return nil
    }

    static func suggest(_ name: String) -> String {
        let mapped = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return mapped.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        let node: Node?
        switch context.role {
        case .manifest: node = context.document.root["pipeline"]?["name"]
        case .environment: node = context.document.root["pipelineName"]
        case .definition: node = nil
        }
        guard let node, let name = node.string, let problem = Self.problem(with: name) else { return }
        findings.report(problem, at: node)
    }
}
