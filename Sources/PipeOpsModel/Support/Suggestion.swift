/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    /// "; did you mean 'x'?" when a candidate is close to `word`, else "".
    public static func didYouMean(_ word: String, in candidates: [String]) -> String {
        hint(word, in: candidates) ?? ""
    }

    /// "; did you mean 'x'?" when a candidate is close to `word`, else nil (callers add their own
    /// fallback, such as the list of known names).
    public static func hint(_ word: String, in candidates: [String]) -> String? {
        closest(to: word, in: candidates).map { "; did you mean '\($0)'?" }
    }

    public static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        let lower = word.lowercased()
        // "production" for "prod", "Thresh" for "Threshold": a prefix is as good a hint as a typo.
        if let prefix = candidates.first(where: { candidate in
            let c = candidate.lowercased()
            return min(c.count, lower.count) >= 3 && (c.hasPrefix(lower) || lower.hasPrefix(c))
        }) {
            return prefix
        }
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            let limit = max(1, min(word.count, candidate.count) / 3)
            // A "suggestion" that replaces the whole word (B for A) is no hint.
            guard distance < min(word.count, candidate.count) else { continue }
            if distance <= limit, best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }

    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
