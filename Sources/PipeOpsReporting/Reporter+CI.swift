import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// The report formats of the CIs pipeops plugs into besides GitHub.
extension LintReporter {
    /// GitLab Code Quality: a JSON array of issues, each with a stable fingerprint (so a merge
    /// request widget shows what it introduced and what it fixed), a severity of GitLab's scale
    /// and a location (path relative to the repository, line).
    static func gitlab(_ report: LintReport) -> String {
        let issues = report.findings.map { finding -> Node in
            let severity: String
            switch finding.severity {
            case .error: severity = "major"
            case .warning: severity = "minor"
            case .info: severity = "info"
            }
            // Line-independent: an edit above a finding does not make it a new one.
            let identity = [finding.rule, finding.file, finding.step ?? "", finding.message].joined(separator: "\u{1F}")
            return Node(object: [
                ("type", Node(.string("issue"))),
                ("check_name", Node(.string(finding.rule))),
                ("description", Node(.string(finding.message))),
                ("categories", Node(.array([Node(.string(finding.severity == .error ? "Bug Risk" : "Style"))]))),
                ("severity", Node(.string(severity))),
                ("fingerprint", Node(.string(String(DefinitionHashes.sha256(Data(identity.utf8)).prefix(32))))),
                (
                    "location",
                    Node(object: [
                        ("path", Node(.string(finding.file))),
                        ("lines", Node(object: [("begin", Node(.integer(max(1, finding.location.line))))])),
                    ])
                ),
            ])
        }
        return CanonicalJSON.string(Node(.array(issues)), sortKeys: false, pretty: true) + "\n"
    }

    /// JUnit XML: one test case per file linted, failed by its errors (and skipped never), so
    /// a clean file is a passing case and the report counts what was checked, not only what failed.
    /// Warnings and infos go into the case's system-out.
    static func junit(_ report: LintReport) -> String {
        let files = Array(Set(report.files).union(report.findings.map(\.file))).sorted()
        var cases = ""
        var failures = 0
        for file in files {
            let here = report.findings.filter { $0.file == file }
            let errors = here.filter { $0.severity == .error }
            cases += "    <testcase classname=\"pipeops.lint\" name=\"\(XMLText.escape(file))\" file=\"\(XMLText.escape(file))\">\n"
            if !errors.isEmpty {
                failures += 1
                let first = errors[0]
                cases +=
                    "      <failure type=\"\(XMLText.escape(first.rule))\" message=\"\(XMLText.escape("\(errors.count) error\(errors.count == 1 ? "" : "s"): \(first.message)"))\">"
                    + XMLText.escape(errors.map { $0.compilerLine(colored: false) }.joined(separator: "\n")) + "</failure>\n"
            }
            let notes = here.filter { $0.severity != .error }
            if !notes.isEmpty {
                cases +=
                    "      <system-out>" + XMLText.escape(notes.map { $0.compilerLine(colored: false) }.joined(separator: "\n"))
                    + "</system-out>\n"
            }
            cases += "    </testcase>\n"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="pipeops lint" tests="\(files.count)" failures="\(failures)" errors="0">
              <testsuite name="pipeops lint" tests="\(files.count)" failures="\(failures)" errors="0" skipped="0">
            \(cases)  </testsuite>
            </testsuites>

            """
    }
}
