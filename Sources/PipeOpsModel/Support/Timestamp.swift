import Foundation

/// ISO 8601 timestamps in UTC with milliseconds (`2026-12-02T07:30:00.123Z`), as every record
/// pipeops writes carries them. Written and read by hand: `ISO8601DateFormatter` builds ICU's
/// calendar, date format and number parser on first use (~2 ms of every `pipeops run`, more
/// than the rest of a cached step's bookkeeping). Other ISO 8601 spellings are still read,
/// through the formatter.
public enum Timestamp {
    public static func string(_ date: Date = Date()) -> String {
        // Milliseconds since the epoch, rounded to the nearest as the formatter does (it hands
        // ICU the instant in milliseconds plus one half, which ICU floors).
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil, (0...9999).contains(Int(parts.tm_year) + 1900) else {
            return lock.withLock { fallback.string(from: date) }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(fraction, 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses what `string` writes, `YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)`, and any other ISO 8601
    /// form the formatter reads (through it, as before: leniently).
    public static func date(from text: String) -> Date? {
        parse(Array(text.utf8)) ?? lock.withLock { fallback.date(from: text) ?? ISO8601DateFormatter().date(from: text) }
    }

    static func parse(_ bytes: [UInt8]) -> Date? {
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("T"),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        // Milliseconds, as written; other precisions are left to the formatter, which reads them
        // its own way.
        var milliseconds = 0
        if expect(".") {
            guard let value = number(3) else { return nil }
            milliseconds = value
        }
        var offset = 0
        if expect("Z") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 February into March: such a date is not a date.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        // The instant in whole milliseconds, then seconds: the formatter's arithmetic, bit for bit.
        return Date(timeIntervalSince1970: Double((Int(seconds) - offset) * 1000 + milliseconds) / 1000)
    }

    /// For what the fast paths do not cover (years past 9999, other ISO 8601 spellings).
    private nonisolated(unsafe) static let fallback: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
    private static let lock = NSLock()
}
