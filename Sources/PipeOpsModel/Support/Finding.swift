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

    var style: TerminalStyle.Style {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .info: return .info
        }
    }
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

    /// A syntax error as the finding every command reports for it (rule `syntax`).
    public static func syntax(file: String, _ error: SyntaxError) -> Finding {
        Finding(rule: "syntax", severity: .error, message: error.message, file: file, location: error.location)
    }

    /// `path:line:col: severity: message [rule]`, the compiler convention editors and CI read.
    public func compilerLine(colored: Bool = false) -> String {
        let label = TerminalStyle.paint(severity.rawValue, severity.style, enabled: colored)
        return "\(file):\(location.line):\(location.column): \(label): \(message) [\(rule)]"
    }

    /// Findings sort by file, position, then rule, so every format lists them in one stable order.
    public static func ordered(_ lhs: Finding, _ rhs: Finding) -> Bool {
        (lhs.file, lhs.location.line, lhs.location.column, lhs.rule, lhs.message)
            < (rhs.file, rhs.location.line, rhs.location.column, rhs.rule, rhs.message)
    }
}
