import Foundation

/// Tool failures (as opposed to lint findings): each maps to exit code 2 with one line on stderr.
public enum PipeOpsError: Error, Sendable, Equatable, LocalizedError {
    case fileNotFound(String)
    case isDirectory(String)
    case unreadable(String, reason: String)
    case fileTooLarge(String, bytes: Int, limit: Int)
    case invalidDocument(path: String, location: SourceLocation, message: String)
    case manifestNotFound(searchedFrom: String)
    case invalidArgument(String)
    case writeFailed(String, reason: String)
    case git(String)
    case message(String)
    /// Content problems found while preparing a command (e.g. a bad environment file): exit 1.
    case findings([Finding])

    public var isFindings: Bool {
        if case .findings = self { return true }
        return false
    }

    /// The same error naming `display` for whatever file it names.
    public func renamingAnyPath(to display: String) -> PipeOpsError {
        switch self {
        case .fileNotFound: return .fileNotFound(display)
        case .isDirectory: return .isDirectory(display)
        case .unreadable(_, let reason): return .unreadable(display, reason: reason)
        case .fileTooLarge(_, let bytes, let limit): return .fileTooLarge(display, bytes: bytes, limit: limit)
        default: return self
        }
    }

    public var errorDescription: String? {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file; check the path (it is resolved from the current directory)"
        case .isDirectory(let path):
            return "\(path): is a directory, not a file; name the definition file inside it"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the file (\(reason))"
        case .fileTooLarge(let path, let bytes, let limit):
            return
                "\(path): the file is \(ByteCount.format(bytes)), over pipeops' limit of \(ByteCount.format(limit)) (SageMaker accepts definitions up to 1 MB)"
        case .invalidDocument(let path, let location, let message):
            return "\(path):\(location.line):\(location.column): \(message)"
        case .manifestNotFound(let directory):
            return "no pipeops.yaml found in \(directory) or any parent directory; run 'pipeops init' or name a definition file"
        case .invalidArgument(let message):
            return message
        case .writeFailed(let path, let reason):
            return "\(path): cannot write (\(reason)); nothing was changed"
        case .git(let message):
            return message
        case .message(let message):
            return message
        case .findings(let findings):
            return findings.sorted(by: Finding.ordered).map { $0.compilerLine() }.joined(separator: "\n")
        }
    }
}

package enum ByteCount {
    package static func format(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 { return String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        if bytes >= 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return "\(bytes) bytes"
    }
}
