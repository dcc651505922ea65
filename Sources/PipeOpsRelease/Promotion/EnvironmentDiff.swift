import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// What differs between two environments of one definition.
public struct EnvironmentDiff: Sendable {
    public struct Row: Sendable, Equatable {
        public var section: String
        public var key: String
        public var left: String?
        public var right: String?
    }

    public var left: RenderedEnvironment
    public var right: RenderedEnvironment
    public var rows: [Row]

    public var structureIdentical: Bool { left.hashes.structure == right.hashes.structure }
    public var identical: Bool { rows.isEmpty && structureIdentical && left.artifacts.sha256 == right.artifacts.sha256 }

    public init(_ context: ProductContext, left: RenderedEnvironment, right: RenderedEnvironment) {
        self.left = left
        self.right = right
        var rows: [Row] = []
        func compare(_ section: String, _ key: String, _ a: String?, _ b: String?) {
            if a != b { rows.append(Row(section: section, key: key, left: a, right: b)) }
        }
        let a = context.effectiveParameters(left.environment)
        let b = context.effectiveParameters(right.environment)
        for (i, parameter) in a.enumerated() {
            compare("parameter", parameter.name, parameter.value.map(\.brief), b[i].value.map(\.brief))
        }
        // Stamp tags that name the environment or its values differ by design; compare the user's tags.
        let userTags = { (r: RenderedEnvironment) in
            Dictionary(r.environment.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        }
        let ta = userTags(left)
        let tb = userTags(right)
        for key in Set(ta.keys).union(tb.keys).sorted() { compare("tag", key, ta[key], tb[key]) }
        compare("pipeline", "name", left.environment.pipelineName, right.environment.pipelineName)
        compare("pipeline", "roleArn", left.environment.roleArn, right.environment.roleArn)
        compare("pipeline", "region", left.environment.region, right.environment.region)
        compare("pipeline", "parallelism", left.environment.parallelism.map(String.init), right.environment.parallelism.map(String.init))
        compare("pipeline", "execute", String(left.environment.execute), String(right.environment.execute))
        // What ships: code files (one working tree, so they differ only when a code folder's
        // prefix does) and images (pins differ per environment).
        let fa = left.artifacts.files
        let fb = right.artifacts.files
        for path in Set(fa.keys).union(fb.keys).sorted() {
            compare("code", path, fa[path].map { "sha256:" + $0.sha256.prefix(12) }, fb[path].map { "sha256:" + $0.sha256.prefix(12) })
        }
        let images = { (r: RenderedEnvironment) in
            Dictionary(
                r.artifacts.imageReferences.map { (ImageReference($0)?.repository ?? $0, $0) }, uniquingKeysWith: { a, b in a + ", " + b })
        }
        let ia = images(left)
        let ib = images(right)
        for repository in Set(ia.keys).union(ib.keys).sorted() {
            let short = { (text: String?) in text.map { $0.hasPrefix(repository) ? String($0.dropFirst(repository.count)) : $0 } }
            compare("image", repository, short(ia[repository]), short(ib[repository]))
        }
        self.rows = rows
    }

    /// A readable table and the structure statement.
    public var text: String {
        let a = left.environment.name
        let b = right.environment.name
        var lines: [String] = []
        if rows.isEmpty {
            lines.append("\(a) and \(b) set the same values.")
        } else {
            let keyWidth = max(12, rows.map { $0.section.count + 1 + $0.key.count }.max() ?? 0)
            let leftWidth = max(a.count, rows.map { ($0.left ?? "(unset)").count }.max() ?? 0)
            lines.append(
                "".padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
                    + a.padding(toLength: leftWidth, withPad: " ", startingAt: 0) + "  " + b)
            for row in rows {
                let key = "\(row.section) \(row.key)"
                lines.append(
                    key.padding(toLength: keyWidth, withPad: " ", startingAt: 0) + "  "
                        + (row.left ?? "(unset)").padding(toLength: leftWidth, withPad: " ", startingAt: 0) + "  "
                        + (row.right ?? "(unset)"))
            }
        }
        lines.append("")
        lines.append("structure sha256  \(a): \(left.hashes.structure)")
        lines.append("                  \(b): \(right.hashes.structure)")
        lines.append(
            structureIdentical
                ? "The pipeline structure is identical: \(b) runs exactly the steps \(a) runs; only the values above differ."
                : "The pipeline structure differs between \(a) and \(b).")
        lines.append("code sha256       \(a): \(left.artifacts.sha256)")
        lines.append("                  \(b): \(right.artifacts.sha256)")
        lines.append(
            left.artifacts.sha256 == right.artifacts.sha256
                ? "Code and images are identical."
                : "Code or images differ (rows 'code' and 'image' above): promotion from \(a) to \(b) is refused until \(a) has run what \(b) would get."
        )
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: Node {
        return Node(
            .object([
                member("left", .string(left.environment.name)),
                member("right", .string(right.environment.name)),
                member("structureIdentical", .bool(structureIdentical)),
                member("codeIdentical", .bool(left.artifacts.sha256 == right.artifacts.sha256)),
                member(
                    "codeSha256",
                    .object([
                        member(left.environment.name, .string(left.artifacts.sha256)),
                        member(right.environment.name, .string(right.artifacts.sha256)),
                    ])),
                member(
                    "structureSha256",
                    .object([
                        member(left.environment.name, .string(left.hashes.structure)),
                        member(right.environment.name, .string(right.hashes.structure)),
                    ])),
                member(
                    "differences",
                    .array(
                        rows.map { row in
                            Node(
                                .object([
                                    member("section", .string(row.section)), member("key", .string(row.key)),
                                    member("left", row.left.map { .string($0) } ?? .null),
                                    member("right", row.right.map { .string($0) } ?? .null),
                                ]))
                        })),
            ]))
    }
}
