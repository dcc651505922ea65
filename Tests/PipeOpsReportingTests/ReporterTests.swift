import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsAnalysis
@testable import PipeOpsApp
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsReporting
@testable import PipeOpsWorkspace

@Suite struct ReporterTests {
    static let report = LintReport(
        findings: [
            Finding(
                rule: "unknown-step", severity: .error, message: "step 'B' depends on unknown step 'C'\nsecond line, 100%: yes",
                file: "dir with space/def.yaml", location: SourceLocation(line: 3, column: 7), step: "B"),
            Finding(
                rule: "unused-parameter", severity: .warning, message: "parameter 'X' is unused", file: "def.yaml",
                location: SourceLocation(line: 1, column: 1)),
            Finding(
                rule: "parameter-required", severity: .info, message: "no default", file: "def.yaml",
                location: SourceLocation(line: 2, column: 3)),
        ], files: ["def.yaml", "dir with space/def.yaml"])

    @Test func jsonFollowsTheContract() throws {
        let text = LintReporter.render(Self.report, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 3)
        let first = findings[0]
        #expect(Set(first.keys) == ["rule", "severity", "message", "file", "line", "column", "step"])
        #expect(first["step"] is NSNull)
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["errors": 1, "warnings": 1, "infos": 1, "files": 2])
    }

    @Test func textIsCompilerStyleAndUncolouredByDefault() {
        let text = LintReporter.render(Self.report, as: .text)
        #expect(text.contains("def.yaml:1:1: warning: parameter 'X' is unused [unused-parameter]\n"))
        #expect(!text.contains("\u{1B}["))
        let colored = LintReporter.render(Self.report, as: .text, options: ReportOptions(colored: true))
        #expect(colored.contains("\u{1B}[1;31merror\u{1B}[0m"))
    }

    @Test func githubAnnotationsEscapeDataAndProperties() {
        let text = LintReporter.render(Self.report, as: .github)
        #expect(
            text.contains(
                "::error file=dir with space/def.yaml,line=3,col=7,title=pipeops unknown-step::step 'B' depends on unknown step 'C'%0Asecond line, 100%25: yes\n"
            ))
        #expect(text.contains("::notice file=def.yaml,line=2,col=3,"))
        #expect(LintReporter.escapeProperty("a:b,c%") == "a%3Ab%2Cc%25")
    }

    @Test func sarifValidatesAgainstTheOfficialSchema() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("out.sarif", LintReporter.render(Self.report, as: .sarif))
        let validator = TestPaths.sarifValidator.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", validator, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("ok"))
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.count == RuleRegistry.rules.count)
        let results = try #require(run["results"] as? [[String: Any]])
        // Each result carries the level of its own finding: error, warning, and info as SARIF's "note".
        let levels = results.map { "\(($0["ruleId"] as? String) ?? "?")=\(($0["level"] as? String) ?? "?")" }
        #expect(levels.sorted() == ["parameter-required=note", "unknown-step=error", "unused-parameter=warning"])
        #expect(results.contains { ($0["locations"] as? [[String: Any]]).map { "\($0)".contains("dir%20with%20space/def.yaml") } ?? false })
    }

    @Test func strictTurnsWarningsIntoFailure() {
        let warningsOnly = LintReport(findings: Self.report.findings.filter { $0.severity != .error }, files: [])
        #expect(!warningsOnly.failed(strict: false))
        #expect(warningsOnly.failed(strict: true))
        #expect(Self.report.failed(strict: false))
    }
}

@Suite struct RuleDocsTests {
    @Test func generatedRuleDocsAreCurrent() throws {
        let docs = try String(contentsOf: TestPaths.repository.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(docs == RuleDocs.render(.markdown), "docs/rules.md is stale: run `pipeops rules --format markdown > docs/rules.md`")
    }
}
