import Foundation
import PipeOpsModel

/// Where a compiled definition's steps are in the Python source: lint's findings and `why` name
/// the line of definition.py that writes the step's name.
extension PythonDefinition {
    /// Findings in the compiled JSON, each naming where its step is named in the Python source
    /// too (`pipeline/definition.py:42`) when the name appears there as a string literal.
    public static func locate(_ findings: [Finding], in source: String, display: String) -> [Finding] {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else { return findings }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var cache: [String: Int?] = [:]
        func line(of step: String) -> Int? {
            if let known = cache[step] { return known }
            let found = sourceLine(of: step, in: lines)
            cache[step] = found
            return found
        }
        return findings.map { finding in
            guard let step = finding.step, let number = line(of: step) else { return finding }
            var located = finding
            located.message += " (step '\(step)' is named at \(display):\(number))"
            return located
        }
    }

    /// The 1-based line of the Python source where `step` is named as a string literal (for a
    /// `Name-Suffix` the SDK makes, such as RegisterModel-RegisterModel, its first part).
    package static func sourceLine(of step: String, in lines: [Substring]) -> Int? {
        func find(_ name: String) -> Int? {
            lines.firstIndex { $0.contains("\"\(name)\"") || $0.contains("'\(name)'") }.map { $0 + 1 }
        }
        return find(step) ?? step.split(separator: "-").first.flatMap { find(String($0)) }
    }
}
