import Foundation
import PipeOpsModel

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

    func check(_ context: LintContext, into findings: inout FindingSink) {
        let node: Node?
        switch context.role {
        case .manifest: node = context.document.root["pipeline"]?["name"]
        case .environment: node = context.document.root["pipelineName"]
        case .definition: node = nil
        }
        guard let node, let name = node.string, let problem = PipelineName.problem(with: name) else { return }
        findings.report(problem, at: node)
    }
}
