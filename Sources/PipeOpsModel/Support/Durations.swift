/// ISO-8601-like durations as the caching docs show them: `P30D`, `PT1H`, `P4DT12H`, `T12H`,
/// `p30d`, `30d`, `5y`, `T16m`, `30dT5h`. Case-insensitive, optional leading P, at least one part.
package enum CacheDuration {
    package static func isValid(_ text: String) -> Bool {
        var chars = Substring(text.uppercased())
        if chars.hasPrefix("P") { chars = chars.dropFirst() }
        var parts = 0
        func units(_ allowed: Set<Character>) -> Bool {
            while let first = chars.first, first.isASCII, first.isNumber {
                while let c = chars.first, c.isASCII, c.isNumber { chars = chars.dropFirst() }
                guard let unit = chars.first, allowed.contains(unit) else { return false }
                chars = chars.dropFirst()
                parts += 1
            }
            return true
        }
        guard units(["Y", "M", "W", "D"]) else { return false }
        if chars.first == "T" {
            chars = chars.dropFirst()
            let before = parts
            guard units(["H", "M", "S"]), parts > before else { return false }
        }
        return chars.isEmpty && parts > 0
    }

    /// The duration in seconds (years 365 days, months 30 days), or nil when invalid.
    package static func seconds(_ text: String) -> Double? {
        guard isValid(text) else { return nil }
        var chars = Substring(text.uppercased())
        if chars.hasPrefix("P") { chars = chars.dropFirst() }
        var total = 0.0
        var inTime = false
        var number = ""
        for c in chars {
            if c == "T" {
                inTime = true
                continue
            }
            if c.isNumber {
                number.append(c)
                continue
            }
            let n = Double(number) ?? 0
            number = ""
            switch (c, inTime) {
            case ("Y", false): total += n * 365 * 86400
            case ("M", false): total += n * 30 * 86400
            case ("W", false): total += n * 7 * 86400
            case ("D", false): total += n * 86400
            case ("H", true): total += n * 3600
            case ("M", true): total += n * 60
            case ("S", true): total += n
            default: return nil
            }
        }
        return total
    }
}
