public enum LoadError: Error, Sendable {
    case syntax(path: String, SyntaxError)
    case io(PipeOpsError)

    /// How a command reports a document that does not parse.
    public enum SyntaxReport: Sendable {
        /// As a `syntax` finding (exit 1): the file is content the user fixes.
        case finding
        /// As an invalid-document error (exit 2).
        case error
    }

    /// The one mapping from a load failure to a tool error, naming the file as `display`
    /// (the path the user typed or sees) when given.
    public func toolError(display: String? = nil, syntax report: SyntaxReport = .error) -> PipeOpsError {
        switch self {
        case .syntax(let path, let syntax):
            let shown = display ?? path
            switch report {
            case .finding: return .findings([Finding.syntax(file: shown, syntax)])
            case .error: return .invalidDocument(path: shown, location: syntax.location, message: syntax.message)
            }
        case .io(let error):
            return display.map { error.renamingAnyPath(to: $0) } ?? error
        }
    }
}
