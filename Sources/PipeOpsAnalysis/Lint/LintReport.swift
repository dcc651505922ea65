import PipeOpsModel

/// The result of a lint run.
public struct LintReport: Sendable {
    public var findings: [Finding]
    public var files: [String]
    /// The SageMaker API model the definitions were checked against.
    public var apiModel: ServiceShapes = .shared

    public init(findings: [Finding], files: [String]) {
        self.findings = findings.sorted(by: Finding.ordered)
        self.files = files
    }

    public func count(_ severity: Severity) -> Int { findings.lazy.filter { $0.severity == severity }.count }

    /// Exit code per the contract: 1 when an error (or, with `strict`, a warning) was found.
    public func failed(strict: Bool) -> Bool {
        findings.contains { $0.severity == .error || (strict && $0.severity == .warning) }
    }
}
