import PipeOpsModel

extension LintContext {
    /// Visits every Std:JsonGet in the definition with the step it is in.
    package func forEachJsonGet(_ body: (JsonGet, Node, Step) -> Void) {
        guard let pipeline = definition else { return }
        func visit(_ expression: Expression, _ step: Step) {
            switch expression {
            case .jsonGet(let jsonGet, let node):
                body(jsonGet, node, step)
                switch jsonGet.source {
                case .propertyFile(let inner), .s3Uri(let inner): visit(inner, step)
                case .missing: break
                }
            case .join(_, let values, _): values.forEach { visit($0, step) }
            default: break
            }
        }
        for step in pipeline.steps {
            for expression in step.expressions { visit(expression, step) }
        }
    }
}

/// Walks a JSON path through a sample document or a JSON Schema.
enum JSONPathCheck {
    enum Outcome: Equatable {
        case found
        /// The path breaks; the message says where and what exists there.
        case missing(String)
        /// The path resolves to an object or list, not to one value.
        case notScalar(String)
    }

    static func check(_ path: PropertyPath, sample: Node) -> Outcome {
        let current: Node
        switch JSONWalk.walk(sample, path) {
        case .success(let value): current = value
        case .failure(let error): return .missing(error.message)
        }
        if let members = current.members {
            return .notScalar(
                "the path ends at an object (keys: \(StepProperties.listing(members.map(\.key)))); JsonGet needs one value — extend the path"
            )
        }
        if current.elements != nil { return .notScalar("the path ends at a list; JsonGet needs one value — add an index such as [0]") }
        return .found
    }

    static func check(_ path: PropertyPath, schema root: Node) -> Outcome {
        var current = root
        var walked: [PropertyPath.Segment] = []
        for segment in path.segments {
            let here = walked.isEmpty ? "the top level" : "'\(PropertyPath(segments: walked))'"
            guard let schema = resolve(current, root: root) else { return .found }
            switch segment {
            case .member(let key), .key(let key):
                var properties: [String] = []
                var next: Node?
                var open = false
                for candidate in alternatives(schema, root: root) {
                    if let members = candidate["properties"]?.members {
                        properties += members.map(\.key)
                        if next == nil, let hit = members.first(where: { $0.key == key }) { next = hit.value }
                    }
                    if let additional = candidate["additionalProperties"] {
                        if additional.members != nil {
                            if next == nil { next = additional }
                        } else if additional.bool != false {
                            open = true
                        }
                    } else if candidate["properties"] == nil && candidate["type"]?.string != "array" {
                        open = true
                    }
                }
                if let next {
                    current = next
                } else if open {
                    return .found
                } else {
                    return .missing(
                        "'\(key)' does not exist at \(here) in the schema (properties there: \(properties.isEmpty ? "none" : StepProperties.listing(properties)))"
                    )
                }
            case .index(let index):
                var next: Node?
                for candidate in alternatives(schema, root: root) {
                    if let tuple = (candidate["prefixItems"] ?? candidate["items"])?.elements, index >= 0, index < tuple.count {
                        next = tuple[index]
                    } else if let items = candidate["items"], items.members != nil {
                        next = items
                    }
                }
                guard let next else {
                    return .missing("\(here) is not a list in the schema, so [\(index)] cannot follow it")
                }
                current = next
            }
            walked.append(segment)
        }
        return .found
    }

    /// Follows local `$ref`s (`#/definitions/X`, `#/$defs/X`).
    private static func resolve(_ node: Node, root: Node, depth: Int = 0) -> Node? {
        if node.bool == true { return nil }
        guard node.members != nil else { return nil }
        if let ref = node["$ref"]?.string, depth < 32 {
            guard ref.hasPrefix("#/") else { return nil }
            var target: Node? = root
            for part in ref.dropFirst(2).split(separator: "/") {
                target = target?[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
            }
            return target.flatMap { resolve($0, root: root, depth: depth + 1) }
        }
        return node
    }

    /// The schema and its allOf/anyOf/oneOf branches, to a bounded depth: a schema whose allOf
    /// refers to itself must not recurse without end.
    private static func alternatives(_ schema: Node, root: Node, depth: Int = 0) -> [Node] {
        var result = [schema]
        guard depth < 16 else { return result }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in schema[key]?.elements ?? [] {
                if let resolved = resolve(sub, root: root) { result += alternatives(resolved, root: root, depth: depth + 1) }
            }
        }
        return result
    }
}
