import Foundation

/// ISO 8601 timestamps with milliseconds, as every record pipeops writes carries them.
public enum Timestamp {
    /// Creating an ISO8601DateFormatter costs more than a step's bookkeeping: keep one.
    private nonisolated(unsafe) static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
    private static let lock = NSLock()

    public static func string(_ date: Date = Date()) -> String {
        lock.withLock { formatter.string(from: date) }
    }

    /// Parses what `string` writes (and plain ISO 8601 without fractional seconds).
    public static func date(from text: String) -> Date? {
        lock.withLock { formatter.date(from: text) } ?? ISO8601DateFormatter().date(from: text)
    }
}
