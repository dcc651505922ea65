import Foundation

/// Shows paths relative to a base directory when they are inside it.
public struct DisplayPath: Sendable {
    let base: String

    public init(base: String) {
        let standardized = URL(fileURLWithPath: base).standardizedFileURL.path
        self.base = standardized.hasSuffix("/") ? standardized : standardized + "/"
    }

    public func callAsFunction(_ path: String) -> String {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        return standardized.hasPrefix(base) ? String(standardized.dropFirst(base.count)) : standardized
    }
}
