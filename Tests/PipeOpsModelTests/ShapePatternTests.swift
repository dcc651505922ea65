import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// pipeops's matcher for the API model's patterns answers what ICU answers for a whole match
/// (`(?:pattern)\z`, anchored): on every pattern of the embedded model and on patterns that
/// use each piece of syntax it reads, with values built from each pattern and then damaged.
struct ShapePatternTests {
    /// What ICU says: some match of the pattern covers the whole value.
    static func icu(_ pattern: String) -> NSRegularExpression? { try? NSRegularExpression(pattern: "(?:\(pattern))\\z") }

    static func icuMatches(_ expression: NSRegularExpression, _ value: String) -> Bool {
        expression.firstMatch(in: value, options: [.anchored], range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// Scalars that sit on the edges of the classes the patterns use: categories, line
    /// terminators, white space that is and is not a separator, a scalar past the BMP.
    static let edges: [Unicode.Scalar] = [
        "a", "Z", "0", "9", "-", "_", ".", "/", ":", "@", "+", "=", ",", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}",
        "\u{A0}", "\u{2028}", "\u{2029}", "\u{200C}", "\u{200D}", "\u{0301}", "\u{0663}", "\u{216B}", "\u{BD}", "$", "€", "^", "~",
        "\u{7F}", "\u{1000}", "\u{10FF}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{1F600}", "\u{10000}", "é", "中", "ǅ", "ʰ", "*",
        "\u{2160}", "\u{FF10}", "\u{3000}", "\u{00AD}", "(", "]", "\u{5}",
    ]

    struct Generator {
        var seeded: SeededGenerator

        init(seed: UInt64) { seeded = SeededGenerator(seed: seed) }

        mutating func next(_ bound: Int) -> Int { seeded.below(bound) }

        mutating func edge() -> Unicode.Scalar { ShapePatternTests.edges[next(ShapePatternTests.edges.count)] }

        /// A value the tree likely matches (lookaround is not honoured: ICU decides).
        mutating func value(_ tree: ShapePattern.Tree, into out: inout [Unicode.Scalar]) {
            switch tree {
            case .empty, .start, .end, .look: break
            case .scalar(let scalar): out.append(scalar)
            case .any: out.append(next(4) == 0 ? edge() : "x")
            case .set(let set):
                for _ in 0..<8 {
                    let candidate: Unicode.Scalar
                    if !set.ranges.isEmpty, next(3) != 0 {
                        let range = set.ranges[next(set.ranges.count)]
                        let offset = UInt32(next(Int(min(range.upperBound - range.lowerBound, 200_000)) + 1))
                        candidate = Unicode.Scalar(range.lowerBound + offset) ?? "a"
                    } else {
                        candidate = edge()
                    }
                    if set.contains(candidate) || next(6) == 0 {
                        out.append(candidate)
                        return
                    }
                }
                out.append(edge())
            case .sequence(let parts): for part in parts { value(part, into: &out) }
            case .alternation(let choices): value(choices[next(choices.count)], into: &out)
            case .repetition(let tree, let min, let max):
                let count = min + next((max.map { Swift.min($0, min + 4) } ?? min + 4) - min + 1)
                for _ in 0..<count { value(tree, into: &out) }
            }
        }

        /// The value with one scalar changed, added or removed (or none).
        mutating func damaged(_ value: [Unicode.Scalar]) -> [Unicode.Scalar] {
            var out = value
            switch next(4) {
            case 0 where !out.isEmpty: out[next(out.count)] = edge()
            case 1: out.insert(edge(), at: next(out.count + 1))
            case 2 where !out.isEmpty: out.remove(at: next(out.count))
            default: break
            }
            return out
        }
    }

    /// Compares the two engines on `count` values made from `pattern`; the number that matched.
    static func agree(_ pattern: String, count: Int, seed: UInt64) -> (disagreements: [String], matched: Int) {
        guard let own = ShapePattern(pattern), let expression = icu(pattern) else { return (["unreadable: \(pattern)"], 0) }
        var parser = ShapePattern.Parser(scalars: Array(pattern.unicodeScalars))
        guard let tree = parser.alternation() else { return (["no tree: \(pattern)"], 0) }
        var generator = Generator(seed: seed)
        var disagreements: [String] = []
        var matched = 0
        for _ in 0..<count {
            var scalars: [Unicode.Scalar] = []
            generator.value(tree, into: &scalars)
            var value = String(String.UnicodeScalarView(generator.damaged(scalars)))
            if generator.next(10) == 0 { value = "" }
            let expected = icuMatches(expression, value)
            if expected { matched += 1 }
            if own.matches(value) != expected, disagreements.count < 5 {
                disagreements.append("\(pattern) on \(value.debugDescription): ICU \(expected)")
            }
        }
        return (disagreements, matched)
    }

    @Test func readsEveryPatternOfTheModel() {
        let patterns = Set(ServiceShapes.shared.entries.compactMap(\.pattern))
        #expect(patterns.count > 50)
        for pattern in patterns.sorted() {
            #expect(ShapePattern(pattern) != nil, "\(pattern)")
        }
    }

    @Test func answersWhatICUAnswersOnTheModelsPatterns() {
        var matched = 0
        var total = 0
        for (offset, pattern) in Set(ServiceShapes.shared.entries.compactMap(\.pattern)).sorted().enumerated() {
            let result = Self.agree(pattern, count: 400, seed: 0x5DEE_CE66_D + UInt64(offset) * 7919)
            #expect(result.disagreements.isEmpty, "\(result.disagreements)")
            matched += result.matched
            total += 400
        }
        // Values that match and values that do not, both in numbers.
        #expect(matched > total / 5 && matched < total * 4 / 5, "\(matched) of \(total)")
    }

    @Test func answersWhatICUAnswersOnEachPieceOfSyntax() {
        let patterns = [
            "a|ab", "(a|ab)(c|bcd)", "x*", "(a*)*b", "(?:ab){2,3}", "a{2,}", "[^a-c]+", "[\\p{L}\\p{N}]*", "[\\P{L}]+", "\\p{M}",
            "\\p{Z}\\p{P}\\p{S}", "[\\p{Alnum}-]+", "\\w+", "\\W", "\\d\\D", "\\s\\S", "[\\S]{1,3}", ".+", "a$", "^a$", "a${1,3}",
            "(?!.*\\.\\.)[a-z.]+", "(?=a)[a-z]+", "[a-z]+(?<!-)", "[a-z-]+(?<=x)", "\\u0041\\x42\\x{43}", "[\\u0021-\\u007F]+",
            "a+?b", "[-a]+", "[a-]+", "[\\-\\.\\/]+", "\\.\\*\\+", "(https|s3)://([^/]+)/?(.*)", "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,5}",
            "(a|b|)c", "()a", "[\t\n\r -~\u{85}]+",
        ]
        for (offset, pattern) in patterns.enumerated() {
            #expect(ShapePattern(pattern) != nil, "\(pattern)")
            let result = Self.agree(pattern, count: 600, seed: 0x2545_F491 + UInt64(offset) * 104_729)
            #expect(result.disagreements.isEmpty, "\(result.disagreements)")
        }
        #expect(ShapePattern("a|ab")?.matches("ab") == true)
        #expect(ShapePattern("[a-z]+(?<!-)")?.matches("ab-") == false)
    }

    @Test func leavesToICUWhatItDoesNotRead() {
        for pattern in ["\\bword\\b", "(a)\\1", "a++", "[[a-z]&&[^x]]", "\\p{Greek}", "(?i)a", "[]a]", "\\Aa\\z", "a{2,1}", "(?<x>a)"] {
            #expect(ShapePattern(pattern) == nil, "\(pattern)")
        }
    }

    /// A value that makes a backtracking engine take exponential time is read once.
    @Test func aHostileValueIsReadInOnePass() throws {
        let pattern = try #require(ShapePattern("[a-zA-Z0-9](-*[a-zA-Z0-9])*"))
        let value = String(repeating: "a-", count: 20_000) + "-!"
        #expect(!pattern.matches(value))
        #expect(pattern.matches(String(repeating: "a-", count: 20_000) + "a"))
    }
}
