import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// `Timestamp` writes and reads by hand what `ISO8601DateFormatter` (internet date-time with
/// fractional seconds) writes and reads: checked against it, instant for instant.
struct TimestampTests {
    static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    /// Instants across leap years, month and year ends, before 1970 and to the millisecond's
    /// edges (a generator with a fixed seed, so a failure names its instant every time).
    static func instants() -> [Date] {
        var generator = SeededGenerator(seed: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { generator.next() }
        var dates = [
            0, -0.0005, -1, -0.001, 951_782_400, 951_868_799.9999, 1_704_067_199.999, 1_704_067_200, 4_102_444_799.9995,
            -2_208_988_800.25, 1_798_761_600.0004,
        ].map { Date(timeIntervalSince1970: $0) }
        for _ in 0..<3_000 {
            // From 1901 to 2100, with sub-millisecond parts.
            let seconds = Double(next() % 6_311_433_600) - 2_177_452_800
            dates.append(Date(timeIntervalSince1970: seconds + Double(next() % 1_000_000) / 1_000_000))
        }
        return dates
    }

    @Test func writesWhatTheFormatterWrites() {
        let formatter = Self.formatter()
        for date in Self.instants() {
            #expect(Timestamp.string(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func readsWhatTheFormatterReads() {
        let formatter = Self.formatter()
        let plain = ISO8601DateFormatter()
        for date in Self.instants() {
            let text = formatter.string(from: date)
            #expect(Timestamp.date(from: text) == formatter.date(from: text), "\(text)")
            let whole = plain.string(from: date)
            #expect(Timestamp.date(from: whole) == plain.date(from: whole), "\(whole)")
        }
        for text in [
            "2026-12-02T07:30:00.123+02:00", "2026-12-02T07:30:00-05:30", "2024-02-29T23:59:59.999Z", "2026-12-02T07:30:00.000-00:00",
        ] {
            #expect(Timestamp.date(from: text) != nil, "\(text)")
            #expect(Timestamp.date(from: text) == formatter.date(from: text) ?? plain.date(from: text), "\(text)")
        }
    }

    @Test func refusesWhatIsNoInstant() {
        for text in [
            "", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02 07:30:00Z",
            "2026-12-02T07:30:00", "2026-12-02T07:30:00.Z", "2026-12-02T07:30:00Zjunk", "2026-12-02T07:30:00.5Z", "yesterday",
        ] {
            #expect(Timestamp.parse(Array(text.utf8)) == nil, "\(text)")
        }
        // What the fast path refuses gets the formatters' answer, whatever it is.
        let plain = ISO8601DateFormatter()
        for text in ["yesterday", "2026-02-30T00:00:00Z", "2026-12-02T07:30:00.5Z"] {
            #expect(Timestamp.date(from: text) == Self.formatter().date(from: text) ?? plain.date(from: text), "\(text)")
        }
        #expect(Timestamp.date(from: "yesterday") == nil)
    }
}
