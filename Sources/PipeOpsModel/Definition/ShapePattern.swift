import Foundation

/// A regular expression of the API model (a shape's `pattern`), compiled to a small automaton
/// and matched against the whole value, as the service validates it. The model's patterns use
/// a small part of ICU's syntax: literals, classes with ranges and Unicode categories, `.`,
/// groups, alternation, greedy and lazy quantifiers, `^`/`$` and lookaround. ICU itself
/// (NSRegularExpression) builds its Unicode sets on first use, ~1.4 ms of every lint; this
/// reads each value once, tracking every state at a time, so no value can make it backtrack
/// for ever either. A pattern it cannot read is nil: the caller falls back to ICU.
package struct ShapePattern: Sendable {
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case set(CharacterSet)
        /// `.`: any scalar but a line terminator.
        case any
        case split(Int, Int)
        case jump(Int)
        case start
        /// `$`: at the end, or before a line terminator that ends the value.
        case end
        /// Lookaround: whether `program` matches at the position (ahead), or ends there after
        /// one of `lengths` scalars (behind).
        case look(ShapePattern, behind: Bool, negated: Bool, lengths: ClosedRange<Int>)
        case accept
    }

    /// A class: ranges and Unicode categories, possibly negated.
    struct CharacterSet: Sendable {
        var negated = false
        var ranges: [ClosedRange<UInt32>] = []
        var classes: [(Category, negated: Bool)] = []

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            let found =
                ranges.contains { $0.contains(value) } || classes.contains { category, negated in category.contains(scalar) != negated }
            return found != negated
        }
    }

    enum Category: Sendable {
        case letter, mark, separator, number, punctuation, symbol, alphanumeric, word, digit, space

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let properties = scalar.properties
            switch self {
            case .letter:
                switch properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
                default: return false
                }
            case .mark:
                switch properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return true
                default: return false
                }
            case .separator:
                switch properties.generalCategory {
                case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
                default: return false
                }
            case .number:
                switch properties.generalCategory {
                case .decimalNumber, .letterNumber, .otherNumber: return true
                default: return false
                }
            case .punctuation:
                switch properties.generalCategory {
                case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                    .finalPunctuation, .otherPunctuation:
                    return true
                default: return false
                }
            case .symbol:
                switch properties.generalCategory {
                case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
                default: return false
                }
            case .alphanumeric: return properties.isAlphabetic || properties.generalCategory == .decimalNumber
            // ICU's \w: [\p{Alphabetic}\p{Mark}\p{Decimal_Number}\p{Connector_Punctuation}\u200c\u200d].
            case .word:
                return properties.isAlphabetic || Category.mark.contains(scalar) || properties.generalCategory == .decimalNumber
                    || properties.generalCategory == .connectorPunctuation || scalar.value == 0x200C || scalar.value == 0x200D
            case .digit: return properties.generalCategory == .decimalNumber
            case .space: return properties.isWhitespace
            }
        }
    }

    let program: [Instruction]

    /// The whole of `value` matches.
    package func matches(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        return run(scalars, from: 0, acceptingAt: scalars.count)
    }

    static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// Whether the program, started at `start`, reaches `accept` at `acceptingAt` (at any
    /// position when nil). Every thread advances one scalar at a time (a Pike machine without
    /// captures): time is the value's length times the program's.
    func run(_ input: [Unicode.Scalar], from start: Int, acceptingAt target: Int?) -> Bool {
        var current: [Int] = []
        var next: [Int] = []
        var seen = [Int](repeating: -1, count: program.count)
        var accepted = false
        // Adds `pc` and what it reaches without reading, at position `position`.
        func add(_ pc: Int, at position: Int, to list: inout [Int]) {
            var stack = [pc]
            while let pc = stack.popLast() {
                guard seen[pc] != position else { continue }
                seen[pc] = position
                switch program[pc] {
                case .split(let first, let second):
                    stack.append(second)
                    stack.append(first)
                case .jump(let target): stack.append(target)
                case .start: if position == 0 { stack.append(pc + 1) }
                case .end:
                    let remaining = input.count - position
                    let atEnd =
                        remaining == 0 || (remaining == 1 && Self.isLineTerminator(input[position]))
                        || (remaining == 2 && input[position] == "\r" && input[position + 1] == "\n")
                    if atEnd { stack.append(pc + 1) }
                case .look(let sub, let behind, let negated, let lengths):
                    let holds: Bool
                    if behind {
                        holds = lengths.contains { length in
                            length <= position && sub.run(input, from: position - length, acceptingAt: position)
                        }
                    } else {
                        holds = sub.run(input, from: position, acceptingAt: nil)
                    }
                    if holds != negated { stack.append(pc + 1) }
                case .accept:
                    if target == nil || target == position { accepted = true }
                case .scalar, .set, .any: list.append(pc)
                }
            }
        }
        var position = start
        add(0, at: position, to: &current)
        while !accepted, !current.isEmpty, position < input.count {
            if let target, position >= target { break }
            let scalar = input[position]
            next.removeAll(keepingCapacity: true)
            let following = position + 1
            for pc in current {
                let passes: Bool
                switch program[pc] {
                case .scalar(let expected): passes = scalar == expected
                case .set(let set): passes = set.contains(scalar)
                case .any: passes = !Self.isLineTerminator(scalar)
                default: passes = false
                }
                if passes { add(pc + 1, at: following, to: &next) }
            }
            swap(&current, &next)
            position = following
        }
        return accepted
    }
}
