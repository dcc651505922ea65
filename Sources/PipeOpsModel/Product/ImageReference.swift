/// A container image reference: `registry/path/name[:tag][@sha256:digest]`.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// Everything before the tag and digest: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn`.
    public var repository: String
    public var tag: String?
    /// `sha256:<64 hex>`.
    public var digest: String?

    /// Image fields of step arguments, by the API shapes that carry them.
    public static let fieldNames: Set<String> = ["ImageUri", "TrainingImage", "Image", "InferenceImage"]

    /// `fieldNames.contains(key)`, with keys of other lengths turned away before any hashing:
    /// this runs for every key of every step's Arguments.
    static func isFieldName(_ key: String) -> Bool {
        let length = key.utf8.count
        return length < 64 && fieldNameLengths & (1 << length) != 0 && fieldNames.contains(key)
    }

    /// Bit n set when some field name is n bytes long.
    private static let fieldNameLengths: UInt64 = fieldNames.reduce(0) { $0 | 1 << UInt64(min($1.utf8.count, 63)) }

    public init?(_ text: String) {
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else { return nil }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return nil }
        repository = String(rest)
    }

    public var description: String {
        repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// Pinned by a well-formed sha256 digest: the bytes it names can never change.
    public var isPinned: Bool { digest.map(Self.isDigest) ?? false }

    public static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst("sha256:".count)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The reference with `digest` instead of any tag or digest it had.
    public func pinned(to digest: String) -> ImageReference {
        var copy = self
        copy.tag = nil
        copy.digest = digest
        return copy
    }

    /// Why the reference can change under the same name, or nil when it is pinned.
    public var mutability: String? {
        if isPinned { return nil }
        if let digest { return "its digest '\(digest)' is not sha256:<64 lower-case hex digits>" }
        if let tag { return tag == "latest" ? "':latest' is a mutable tag" : "the tag ':\(tag)' can be pushed again" }
        return "it has no tag or digest (it means :latest)"
    }
}

extension ImageReference {
    /// Parameters some image field reads (`ImageUri: {Get: Parameters.Image}`).
    package static func parameters(in root: Node) -> Set<String> {
        Set(
            fields(in: root).compactMap { field in
                field["Get"]?.string.flatMap { $0.hasPrefix("Parameters.") ? String($0.dropFirst(11)) : nil }
            })
    }

    /// Every image field's value below `node`.
    public static func fields(in node: Node) -> [Node] {
        var fields: [Node] = []
        func visit(_ node: Node) {
            switch node.value {
            case .object(let members):
                for index in members.indices {
                    if ImageReference.isFieldName(members[index].key) {
                        fields.append(members[index].value)
                    } else {
                        visit(members[index].value)
                    }
                }
            case .array(let elements): for index in elements.indices { visit(elements[index]) }
            default: break
            }
        }
        visit(node)
        return fields
    }
}
