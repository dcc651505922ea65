/// Leaf-by-leaf differences between two JSON trees, as paths with old and new values (`brief`).
public enum NodeDiff {
    public struct Change: Sendable, Equatable {
        public var path: String
        public var old: String?
        public var new: String?

        public init(path: String, old: String?, new: String?) {
            self.path = path
            self.old = old
            self.new = new
        }
    }

    public static func changes(_ old: Node, _ new: Node, path: String = "") -> [Change] {
        switch (old.value, new.value) {
        case (.object(let a), .object(let b)):
            var changes: [Change] = []
            let keys = a.map(\.key) + b.map(\.key).filter { key in !a.contains { $0.key == key } }
            for key in keys {
                let child = path.isEmpty ? key : path + "." + key
                switch (old[key], new[key]) {
                case (let x?, let y?): changes += Self.changes(x, y, path: child)
                case (let x?, nil): changes.append(Change(path: child, old: CanonicalJSON.string(x), new: nil))
                case (nil, let y?): changes.append(Change(path: child, old: nil, new: CanonicalJSON.string(y)))
                default: break
                }
            }
            return changes
        case (.array(let a), .array(let b)) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { index, pair in Self.changes(pair.0, pair.1, path: path + "[\(index)]") }
        default:
            let (x, y) = (CanonicalJSON.string(old), CanonicalJSON.string(new))
            return x == y ? [] : [Change(path: path, old: x, new: y)]
        }
    }
}
