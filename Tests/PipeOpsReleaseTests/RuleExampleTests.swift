import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel
@testable import PipeOpsRelease

/// One generic test runs every rule's own examples (see STYLE.md §3).
@Suite struct RuleExampleTests {
    static let ruleIDs = RuleRegistry.rules.map { $0.description.id }

    /// Lints an example through the lint gate, exactly as `pipeops lint` reads it: a definition
    /// as a file named on the command line; an environment file as dev's in a product with a
    /// staging environment beside it; a manifest beside `environmentExampleDefinition` and a dev
    /// environment. Only the example's own file's findings count.
    static func lint(_ text: String, kind: RuleDescription.ExampleKind) throws -> [Finding] {
        let product = TemporaryDirectory()
        switch kind {
        case .definition:
            let name = text.hasPrefix("{") ? "example.json" : "example.yaml"
            product.write(name, text)
            return try LintSession.run(LintRequest(files: [name], workingDirectory: product.path)).findings
        case .environment:
            // Two environments: a value can only leak from one environment into another.
            product.write(
                "pipeops.yaml",
                "version: 1\npipeline: { name: example, definition: pipeline/definition.yaml }\nenvironments:\n  dev: { parameters: environments/dev.yaml }\n  staging: { parameters: environments/staging.yaml }\n"
            )
            product.write("pipeline/definition.yaml", RuleDescription.environmentExampleDefinition)
            product.write("environments/dev.yaml", text)
            product.write("environments/staging.yaml", "parameters: { InputData: \"s3://staging-data/in\" }\n")
            return try LintSession.run(LintRequest(workingDirectory: product.path)).findings.filter { $0.file == "environments/dev.yaml" }
        case .manifest:
            product.write("pipeline/definition.yaml", RuleDescription.environmentExampleDefinition)
            product.write("environments/dev.yaml", "parameters: { InputData: \"s3://b/in\" }\n")
            product.write("pipeops.yaml", text)
            return try LintSession.run(LintRequest(workingDirectory: product.path)).findings.filter { $0.file == "pipeops.yaml" }
        }
    }

    @Test(arguments: ruleIDs)
    func triggeringExamplesReportExactlyAtTheMarkers(_ id: String) throws {
        let rule = try #require(RuleRegistry.rule(id: id)).description
        for example in rule.triggering {
            let (text, expected) = extractMarkers(example)
            #expect(!expected.isEmpty, "example of \(id) has no ↓ marker:\n\(example)")
            let found = try Self.lint(text, kind: rule.exampleKind).filter { $0.rule == id }.map(\.location)
            #expect(found.sorted() == expected.sorted(), "rule \(id) on:\n\(text)\nfound \(found), expected \(expected)")
        }
    }

    @Test(arguments: ruleIDs)
    func nonTriggeringExamplesStayQuiet(_ id: String) throws {
        let rule = try #require(RuleRegistry.rule(id: id)).description
        for example in rule.nonTriggering {
            let findings = try Self.lint(example, kind: rule.exampleKind).filter { $0.rule == id }
            #expect(findings.isEmpty, "rule \(id) fired on its non-triggering example: \(findings.map(\.message))")
        }
    }

    @Test func registryIsSortedAndUnique() {
        #expect(Self.ruleIDs == Self.ruleIDs.sorted())
        #expect(Set(Self.ruleIDs).count == Self.ruleIDs.count)
    }

    @Test func everyRuleFileIsRegistered() throws {
        let folder = TestPaths.repository.appendingPathComponent("Sources/PipeOpsAnalysis/Lint/Rules")
        var declared = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains(": Rule {") {
                guard let range = line.range(of: "struct ") else { continue }
                declared.insert(String(line[range.upperBound...].prefix { $0 != ":" }))
            }
        }
        let registered = Set(RuleRegistry.rules.map { String(describing: $0) })
        #expect(declared == registered)
    }

    @Test func everyRuleDocumentsItselfWithAnExample() {
        // Rules whose trigger needs input an inline example cannot carry (a >1 MB file, a property-file sample)
        // are exercised by their own tests instead.
        let exempt: Set<String> = ["definition-size", "json-path-sample"]
        for rule in RuleRegistry.rules.map({ $0.description }) {
            if !exempt.contains(rule.id) { #expect(!rule.triggering.isEmpty, "rule \(rule.id) has no triggering example") }
            // A rule that fires on everything passes its triggering examples too: each needs a
            // near miss that must stay quiet.
            #expect(!rule.nonTriggering.isEmpty, "rule \(rule.id) has no non-triggering example")
            #expect(!rule.rationale.isEmpty && !rule.title.isEmpty)
        }
    }
}
