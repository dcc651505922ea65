import Foundation
import PipeOpsModel

struct ManifestRule: Rule {
    static let description = RuleDescription(
        id: "manifest",
        title: "pipeops.yaml is complete and consistent",
        category: .environments,
        severity: .error,
        rationale: """
            The manifest names the definition, the environments in promotion order and their \
            parameter files. Missing files, wrong types and unknown rule ids in lint.disable are \
            errors; unknown keys are warnings with a suggestion.
            """,
        triggering: [
            """
            version: 1
            pipeline:
              name: churn
              definition: ↓pipeline/missing.yaml
            environments:
              dev: { parameters: environments/dev.yaml }
            """,
            """
            version: 1
            pipeline: { name: churn, definition: pipeline/definition.yaml }
            environments:
              dev: { parameters: environments/dev.yaml, ↓exec: true }
            """,
        ],
        nonTriggering: [
            """
            version: 1
            pipeline: { name: churn, definition: pipeline/definition.yaml }
            environments:
              dev: { parameters: environments/dev.yaml, execute: true }
            lint: { disable: [unused-parameter] }
            """
        ],
        exampleKind: .manifest)

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard context.role == .manifest, let manifest = context.manifest else { return }
        for problem in manifest.problems {
            findings.report(problem.message, at: problem.location, severity: problem.severity)
        }
        let root = manifest.document.root
        if let path = manifest.definition, let node = root["pipeline"]?["definition"], let source = manifest.definitionSource,
            !FileManager.default.fileExists(atPath: source)
        {
            findings.report("definition file '\(path)' does not exist (relative to \(manifest.directory))", at: node)
        }
        for environment in manifest.environments {
            guard let path = environment.parameters, let node = environment.node["parameters"] else { continue }
            if !FileManager.default.fileExists(atPath: manifest.resolve(path)) {
                findings.report("parameter file '\(path)' of environment '\(environment.name)' does not exist", at: node)
            }
        }
        let known = Set(RuleRegistry.rules.map { $0.description.id })
        for (list, context) in [(root["lint"]?["disable"], "lint.disable")]
            + (root["lint"]?["steps"]?.members ?? []).map({ ($0.value["disable"], "lint.steps.\($0.key).disable") })
        {
            for entry in list?.elements ?? [] {
                guard let id = entry.string, !known.contains(id) else { continue }
                let hint = Suggestion.hint(id, in: Array(known)) ?? "; 'pipeops rules' lists them"
                findings.report("\(context) names unknown rule '\(id)'\(hint)", at: entry, severity: .warning)
            }
        }
        if manifest.environments.isEmpty, root["environments"] == nil {
            findings.report(
                "no environments: add 'environments:' with dev, staging and prod parameter files to render, diff and promote", at: root,
                severity: .info)
        }
    }
}
