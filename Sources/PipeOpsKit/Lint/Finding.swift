/// How much a finding matters. Errors fail `pipeops lint`; warnings fail it under `--strict`.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in one file.
public struct Finding: Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    public var message: String
    public var file: String
    public var location: SourceLocation
    public var step: String?

    public init(rule: String, severity: Severity, message: String, file: String, location: SourceLocation, step: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.file = file
        self.location = location
        self.step = step
    }

    /// Findings sort by file, position, then rule, so every format lists them in one stable order.
    public static func ordered(_ lhs: Finding, _ rhs: Finding) -> Bool {
        (lhs.file, lhs.location.line, lhs.location.column, lhs.rule, lhs.message)
            < (rhs.file, rhs.location.line, rhs.location.column, rhs.rule, rhs.message)
    }
}

/// The result of a lint run.
public struct LintReport: Sendable {
    public var findings: [Finding]
    public var files: [String]

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
