import Foundation
import PipeOpsModel

struct EnvironmentLeakRule: Rule {
    static let description = RuleDescription(
        id: "environment-leak",
        title: "The definition holds no environment's own values",
        category: .environments,
        severity: .error,
        rationale: """
            One definition runs in every environment, so a value an environment sets for a \\
            parameter (its bucket, its data) must reach the steps through that parameter. A copy \\
            pasted into the definition stays the same everywhere: prod then reads dev's data or \\
            writes into dev's bucket. Reported when a definition literal equals (or starts with) \\
            an environment's parameter value that the other environments set differently, or \\
            names that environment's own bucket (error); and, as a warning, when an ARN or ECR \\
            image in the definition names another account or region than the environment's \\
            own (its roleArn and region).
            """,
        triggering: [
            """
            parameters:
              InputData: ↓"s3://shared-bucket/reference/"
            """,
            """
            parameters:
              InputData: "s3://dev-data/in"
            roleArn: ↓"arn:aws:iam::222222222222:role/pipeline-dev"
            """,
        ],
        nonTriggering: [
            """
            parameters:
              InputData: "s3://dev-data/in"
            roleArn: "arn:aws:iam::111111111111:role/pipeline-dev"
            """
        ],
        exampleKind: .environment)

    struct Literal {
        var text: String
        var location: SourceLocation
    }

    /// The definition's strings outside the parameter declarations (defaults belong there).
    static func literals(_ root: Node) -> [Literal] {
        var found: [Literal] = []
        func visit(_ node: Node) {
            switch node.value {
            case .string(let text): found.append(Literal(text: text, location: node.location))
            case .array(let elements): elements.forEach(visit)
            case .object(let members): for member in members { visit(member.value) }
            default: break
            }
        }
        for member in root.members ?? [] where member.key != "Parameters" { visit(member.value) }
        return found
    }

    static func bucket(_ text: String) -> String? { S3URI.split(text)?.bucket }

    static func identifies(_ value: String) -> Bool {
        value.hasPrefix("s3://") || value.hasPrefix("arn:") || value.hasPrefix("https://") || value.hasPrefix("http://")
            || (value.count == 12 && value.allSatisfy { $0.isASCII && $0.isNumber })
    }

    /// (account, region) an ARN or ECR URI in `text` names: the leftmost ARN prefix
    /// `arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):([0-9]{12}):`, else the leftmost ECR host
    /// `([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com`. Scanned by hand: compiling the two
    /// patterns with NSRegularExpression (ICU) cost more than the rest of an environment's lint.
    static func placement(_ text: String) -> (account: String, region: String?)? {
        let bytes = Array(text.utf8)
        if let found = arn(bytes) { return found }
        return ecr(bytes)
    }

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLabel(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) || byte == UInt8(ascii: "-") }

    /// Whether `bytes` holds `literal` at `index`.
    private static func holds(_ bytes: [UInt8], _ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { expected in (0..<count).allSatisfy { bytes[index + $0] == expected[$0] } }
    }

    /// The end of the run of bytes from `index` that satisfy `accepts`.
    private static func span(_ bytes: [UInt8], from index: Int, _ accepts: (UInt8) -> Bool) -> Int {
        var end = index
        while end < bytes.count, accepts(bytes[end]) { end += 1 }
        return end
    }

    private static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// No character class of either pattern holds its delimiter, so each match is decided
    /// without backtracking; trying each start in order finds the leftmost.
    private static func arn(_ bytes: [UInt8]) -> (account: String, region: String?)? {
        var start = 0
        while start + 7 <= bytes.count {
            defer { start += 1 }
            guard holds(bytes, "arn:aws", at: start) else { continue }
            var index = span(bytes, from: start + 7) { isLower($0) || $0 == UInt8(ascii: "-") }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
            let service = span(bytes, from: index + 1, isLabel)
            guard service > index + 1, service < bytes.count, bytes[service] == UInt8(ascii: ":") else { continue }
            index = span(bytes, from: service + 1, isLabel)
            let region = service + 1..<index
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
            let account = index + 1..<index + 13
            guard account.upperBound < bytes.count, bytes[account].allSatisfy(isDigit), bytes[account.upperBound] == UInt8(ascii: ":")
            else { continue }
            return (text(bytes, account), region.isEmpty ? nil : text(bytes, region))
        }
        return nil
    }

    private static func ecr(_ bytes: [UInt8]) -> (account: String, region: String?)? {
        var start = 0
        while start + 12 <= bytes.count {
            defer { start += 1 }
            let account = start..<start + 12
            guard bytes[account].allSatisfy(isDigit), holds(bytes, ".dkr.ecr.", at: account.upperBound) else { continue }
            let regionStart = account.upperBound + 9
            let regionEnd = span(bytes, from: regionStart, isLabel)
            guard regionEnd > regionStart, holds(bytes, ".amazonaws.com", at: regionEnd) else { continue }
            return (text(bytes, account), text(bytes, regionStart..<regionEnd))
        }
        return nil
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard case .environment(let name) = context.role, let pipeline = context.pipeline else { return }
        let file = EnvironmentFile(document: context.document)
        let literals = Self.literals(pipeline.root)
        let definition = pipeline.document.path
        let defaults = Dictionary(pipeline.parameters.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { first, _ in first })

        for member in file.parameters {
            // Only values that name a place or an owner (a bucket, an ARN, an endpoint, an
            // account) identify an environment; an instance type or a threshold is just a value.
            guard let value = member.value.string, Self.identifies(value) else { continue }
            // What the others run with: their own value, else the definition's default.
            let others = context.siblings.map { siblings in
                siblings.values.map { $0[member.key]?.string ?? defaults[member.key]??.string }
            }
            // A product with one environment has nothing to leak into (siblings known, none);
            // a lone environment file (siblings unknown) is compared with the defaults.
            if let others, others.isEmpty { continue }
            if let others, others.allSatisfy({ $0 == value }) { continue } // shared by all: not this environment's own
            // A bucket is this environment's own when no other environment's value names it and
            // the product does not keep its code there (the artifact bucket serves them all).
            let artifactBuckets = Set(context.artifactURIs.compactMap(Self.bucket))
            let ownBucket = Self.bucket(value).flatMap { bucket in
                (others ?? []).allSatisfy { $0.flatMap(Self.bucket) != bucket } && !artifactBuckets.contains(bucket) ? bucket : nil
            }
            let leaks = literals.filter { literal in
                // Code the SDK uploaded, or a code: folder's objects, share the bucket by design.
                if context.artifactURIs.contains(where: { literal.text == $0 || ($0.hasSuffix("/") && literal.text.hasPrefix($0)) }) {
                    return false
                }
                return literal.text == value || (value.hasSuffix("/") && literal.text.hasPrefix(value))
                    || (ownBucket != nil && Self.bucket(literal.text) == ownBucket)
            }
            guard let first = leaks.first else { continue }
            let more = leaks.count > 1 ? " (and \(leaks.count - 1) more place\(leaks.count == 2 ? "" : "s"))" : ""
            findings.report(
                "\(name) sets \(member.key) to '\(value)', and the definition holds \(first.text == value ? "that value" : "'\(first.text)'") as a literal at \(definition):\(first.location.line):\(first.location.column)\(more): in every other environment that step keeps \(name)'s value; use {Get: Parameters.\(member.key)} there (or Std:Join with it)",
                at: member.value)
        }

        // Account and region: the environment's own (its role, else the manifest's; its region).
        guard let role = file.roleArn ?? context.manifestRoleArn, let account = Self.placement(role)?.account else { return }
        let roleNode = context.document.root["roleArn"] ?? context.document.root
        var reported: Set<String> = []
        for literal in literals {
            // AWS's own registries (framework, algorithm, monitor images) are no environment's.
            guard let placement = Self.placement(literal.text), !AWSRegistries.accounts.contains(placement.account) else { continue }
            if placement.account != account, reported.insert("account \(placement.account)").inserted {
                findings.report(
                    "the definition names account \(placement.account) at \(definition):\(literal.location.line):\(literal.location.column) ('\(literal.text.prefix(80))'), but \(name) runs as account \(account) (roleArn); a resource of another account is usually one environment's leaking into the others: make it a parameter",
                    at: roleNode, severity: .warning)
            }
            if let region = file.region, let other = placement.region, other != region, reported.insert("region \(other)").inserted {
                findings.report(
                    "the definition names region \(other) at \(definition):\(literal.location.line):\(literal.location.column) ('\(literal.text.prefix(80))'), but \(name) runs in \(region); make it a parameter",
                    at: context.document.root["region"] ?? roleNode, severity: .warning)
            }
        }
    }
}
