import Foundation

extension ShapePattern {
    /// A pattern's tree, as parsed.
    indirect enum Tree {
        case empty
        case scalar(Unicode.Scalar)
        case set(CharacterSet)
        case any
        case start, end
        case sequence([Tree])
        case alternation([Tree])
        case repetition(Tree, min: Int, max: Int?)
        case look(Tree, behind: Bool, negated: Bool)

        /// The fewest and most scalars it reads (nil: no bound).
        var lengths: (min: Int, max: Int?) {
            switch self {
            case .empty, .start, .end, .look: return (0, 0)
            case .scalar, .set, .any: return (1, 1)
            case .sequence(let parts):
                return parts.reduce((0, 0)) { total, part in
                    let length = part.lengths
                    return (total.0 + length.min, total.1.flatMap { sum in length.max.map { sum + $0 } })
                }
            case .alternation(let choices):
                let lengths = choices.map(\.lengths)
                let most = lengths.contains { $0.max == nil } ? nil : lengths.compactMap(\.max).max()
                return (lengths.map(\.min).min() ?? 0, most)
            case .repetition(let tree, let min, let max):
                let length = tree.lengths
                return (length.min * min, max.flatMap { count in length.max.map { $0 * count } })
            }
        }
    }

    /// The largest program compiled; a pattern that would be larger is left to ICU.
    static let instructionLimit = 50_000

    /// Parses and compiles `pattern`; nil for anything outside the syntax described above.
    package init?(_ pattern: String) {
        var parser = Parser(scalars: Array(pattern.unicodeScalars))
        guard let tree = parser.alternation(), parser.index == parser.scalars.count else { return nil }
        var program: [Instruction] = []
        guard Self.compile(tree, into: &program) else { return nil }
        program.append(.accept)
        self.program = program
    }

    static func compile(_ tree: Tree, into program: inout [Instruction]) -> Bool {
        guard program.count < instructionLimit else { return false }
        switch tree {
        case .empty: return true
        case .scalar(let scalar): program.append(.scalar(scalar))
        case .set(let set): program.append(.set(set))
        case .any: program.append(.any)
        case .start: program.append(.start)
        case .end: program.append(.end)
        case .sequence(let parts):
            for part in parts where !compile(part, into: &program) { return false }
        case .alternation(let choices):
            // split(first, rest) … first … jump(end); the jumps are patched once the end is known.
            var jumps: [Int] = []
            for (offset, choice) in choices.enumerated() {
                let split = program.count
                let last = offset == choices.count - 1
                if !last { program.append(.jump(-1)) }
                guard compile(choice, into: &program) else { return false }
                if !last {
                    jumps.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repetition(let tree, let min, let max):
            for _ in 0..<min where !compile(tree, into: &program) { return false }
            if let max {
                // Each optional copy may be skipped, and skipping one skips the rest.
                var skips: [Int] = []
                for _ in min..<max {
                    skips.append(program.count)
                    program.append(.jump(-1))
                    guard compile(tree, into: &program) else { return false }
                }
                for skip in skips { program[skip] = .split(skip + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.jump(-1))
                guard compile(tree, into: &program) else { return false }
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        case .look(let tree, let behind, let negated):
            var sub: [Instruction] = []
            guard compile(tree, into: &sub) else { return false }
            sub.append(.accept)
            let lengths = tree.lengths
            // ICU requires a bounded lookbehind; so does this.
            guard !behind || lengths.max != nil else { return false }
            program.append(
                .look(ShapePattern(program: sub), behind: behind, negated: negated, lengths: lengths.min...(lengths.max ?? lengths.min)))
        }
        return program.count < instructionLimit
    }

    /// Recursive descent over ICU's syntax, the part the model uses.
    struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard peek == scalar else { return false }
            index += 1
            return true
        }

        mutating func alternation() -> Tree? {
            var choices: [Tree] = []
            repeat {
                guard let sequence = sequence() else { return nil }
                choices.append(sequence)
            } while take("|")
            return choices.count == 1 ? choices[0] : .alternation(choices)
        }

        mutating func sequence() -> Tree? {
            var parts: [Tree] = []
            while let next = peek, next != "|", next != ")" {
                guard let atom = atom(), let quantified = quantifier(on: atom) else { return nil }
                parts.append(quantified)
            }
            return parts.count == 1 ? parts[0] : parts.isEmpty ? .empty : .sequence(parts)
        }

        mutating func quantifier(on atom: Tree) -> Tree? {
            var tree = atom
            while let next = peek {
                let bounds: (Int, Int?)
                switch next {
                case "*": bounds = (0, nil)
                case "+": bounds = (1, nil)
                case "?": bounds = (0, 1)
                case "{":
                    guard let counted = counted() else { return nil }
                    bounds = counted
                default: return tree
                }
                if next != "{" { index += 1 }
                // Lazy changes which match is found first, not whether one exists; possessive
                // changes that, and is not read.
                _ = take("?")
                if peek == "+" { return nil }
                guard bounds.1.map({ $0 >= bounds.0 }) ?? true, bounds.0 <= 10_000 else { return nil }
                tree = .repetition(tree, min: bounds.0, max: bounds.1)
            }
            return tree
        }

        /// `{n}`, `{n,}`, `{n,m}`.
        mutating func counted() -> (Int, Int?)? {
            guard take("{"), let low = number() else { return nil }
            if take("}") { return (low, low) }
            guard take(",") else { return nil }
            if take("}") { return (low, nil) }
            guard let high = number(), take("}") else { return nil }
            return (low, high)
        }

        mutating func number() -> Int? {
            var value: Int?
            while let next = peek, ("0"..."9").contains(next) {
                value = (value ?? 0) * 10 + Int(next.value - 48)
                guard value! <= 100_000 else { return nil }
                index += 1
            }
            return value
        }

        mutating func atom() -> Tree? {
            guard let next = peek else { return nil }
            index += 1
            switch next {
            case "(":
                var look: (behind: Bool, negated: Bool)?
                if take("?") {
                    if take(":") {
                    } else if take("=") {
                        look = (false, false)
                    } else if take("!") {
                        look = (false, true)
                    } else if take("<"), let kind = peek, kind == "=" || kind == "!" {
                        index += 1
                        look = (true, kind == "!")
                    } else {
                        return nil
                    }
                }
                guard let inner = alternation(), take(")") else { return nil }
                return look.map { .look(inner, behind: $0.behind, negated: $0.negated) } ?? inner
            case "[": return characterClass().map { .set($0) }
            case ".": return .any
            case "^": return .start
            case "$": return .end
            case "\\": return escape().map { item in item.tree }
            case "*", "+", "?", "{", ")", "]", "}": return nil
            default: return .scalar(next)
            }
        }

        /// What a backslash starts: a scalar, or a class of scalars.
        mutating func escape() -> (tree: Tree, scalar: Unicode.Scalar?)? {
            guard let next = peek else { return nil }
            index += 1
            func category(_ category: Category, negated: Bool) -> (Tree, Unicode.Scalar?) {
                var set = CharacterSet()
                set.classes = [(category, negated)]
                return (.set(set), nil)
            }
            switch next {
            case "d", "D": return category(.digit, negated: next == "D")
            case "w", "W": return category(.word, negated: next == "W")
            case "s", "S": return category(.space, negated: next == "S")
            case "p", "P":
                guard take("{") else { return nil }
                var name = ""
                while let scalar = peek, scalar != "}" {
                    name.unicodeScalars.append(scalar)
                    index += 1
                }
                guard take("}") else { return nil }
                let known: [String: Category] = [
                    "L": .letter, "M": .mark, "Z": .separator, "N": .number, "P": .punctuation, "S": .symbol, "Alnum": .alphanumeric,
                    "Nd": .digit,
                ]
                guard let found = known[name] else { return nil }
                return category(found, negated: next == "P")
            case "u": return hex(count: 4).map { (.scalar($0), $0) }
            case "x":
                if take("{") {
                    guard let scalar = hex(count: nil), take("}") else { return nil }
                    return (.scalar(scalar), scalar)
                }
                return hex(count: 2).map { (.scalar($0), $0) }
            case "t": return (.scalar("\t"), "\t")
            case "n": return (.scalar("\n"), "\n")
            case "r": return (.scalar("\r"), "\r")
            case "f": return (.scalar("\u{0C}"), "\u{0C}")
            default:
                // Any other letter or digit means something this does not read (\b, \A, \1 …);
                // anything else stands for itself.
                if next.properties.isAlphabetic || next.properties.numericType != nil { return nil }
                return (.scalar(next), next)
            }
        }

        mutating func hex(count: Int?) -> Unicode.Scalar? {
            var value: UInt32 = 0
            var read = 0
            while count.map({ read < $0 }) ?? true, let next = peek, let digit = next.isASCII ? UInt32(String(next), radix: 16) : nil {
                value = value * 16 + digit
                read += 1
                index += 1
                guard value <= 0x10FFFF else { return nil }
            }
            guard read > 0, count.map({ read == $0 }) ?? true else { return nil }
            return Unicode.Scalar(value)
        }

        /// After `[`: items up to `]`. Nested classes and set operations are not read.
        mutating func characterClass() -> CharacterSet? {
            var set = CharacterSet()
            set.negated = take("^")
            // ICU reads a leading ']' its own way: left to it.
            if peek == "]" { return nil }
            while let next = peek, next != "]" {
                let low: Unicode.Scalar
                if next == "[" {
                    return nil
                } else if next == "\\" {
                    index += 1
                    guard let item = escape() else { return nil }
                    guard let scalar = item.scalar else {
                        if case .set(let inner) = item.tree { set.classes += inner.classes }
                        continue
                    }
                    low = scalar
                } else {
                    index += 1
                    low = next
                }
                // A range, unless the '-' ends the class.
                if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    var high: Unicode.Scalar
                    if peek == "\\" {
                        index += 1
                        guard let item = escape(), let scalar = item.scalar else { return nil }
                        high = scalar
                    } else if let scalar = peek, scalar != "[" {
                        index += 1
                        high = scalar
                    } else {
                        return nil
                    }
                    guard low.value <= high.value else { return nil }
                    set.ranges.append(low.value...high.value)
                } else {
                    set.ranges.append(low.value...low.value)
                }
            }
            guard take("]") else { return nil }
            return set
        }
    }
}
