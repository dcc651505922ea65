import Crypto
import Foundation

/// The two fingerprints of a definition.
///
/// *content*: sha256 of the canonical JSON of the whole definition.
/// *structure*: the same without parameter default values — what stays identical when one
/// definition is promoted through environments that differ only in parameter values.
/// Key order, whitespace and JSON-versus-YAML source change neither.
public struct DefinitionHashes: Sendable, Equatable {
    public var content: String
    public var structure: String

    public init(root: Node) {
        self.init(source: root, shipped: root)
    }

    /// `structure` from the definition as written (code URIs before content addressing, images
    /// before pins: identical across environments); `content` from what is sent.
    public init(source: Node, shipped: Node) {
        content = DefinitionHashes.sha256(CanonicalJSON.data(shipped))
        structure = DefinitionHashes.sha256(CanonicalJSON.data(DefinitionHashes.structure(of: source)))
    }

    /// The definition with every parameter's `DefaultValue` removed, and the public key the SDK
    /// makes afresh on every build of a `@step` pipeline (`Environment.REMOTE_FUNCTION_SECRET_KEY`,
    /// which verifies that build's function payloads): two builds of one commit are one structure.
    public static func structure(of root: Node) -> Node {
        let root = withoutBuildKeys(root)
        guard case .object(var members) = root.value, let index = members.firstIndex(where: { $0.key == "Parameters" }),
            case .array(let parameters) = members[index].value.value
        else { return root }
        let stripped = parameters.map { parameter -> Node in
            guard case .object(let fields) = parameter.value else { return parameter }
            return Node(.object(fields.filter { $0.key != "DefaultValue" }), at: parameter.location)
        }
        members[index].value = Node(.array(stripped), at: members[index].value.location)
        return Node(.object(members), at: root.location)
    }

    static func withoutBuildKeys(_ node: Node) -> Node {
        switch node.value {
        case .object(let members):
            return Node(
                .object(
                    members.compactMap { member -> Node.Member? in
                        if member.key == "REMOTE_FUNCTION_SECRET_KEY", member.value.string?.hasPrefix("-----BEGIN PUBLIC KEY-----") == true
                        {
                            return nil
                        }
                        var kept = member
                        kept.value = withoutBuildKeys(member.value)
                        return kept
                    }), at: node.location)
        case .array(let elements): return Node(.array(elements.map(withoutBuildKeys)), at: node.location)
        default: return node
        }
    }

    public static func sha256(_ data: Data) -> String {
        Hex.lowercase(SHA256.hash(data: data))
    }
}
