/// Follows a property path (`a.b[0]['k']`) through a JSON value: the one walker behind strict
/// JsonGet in the engine, step property lookups, and JsonGet checks against property-file samples.
package enum JSONWalk {
    /// Keyed lookups on lists (`Outputs['train']`) match an element's name field, as the
    /// service does for ProcessingOutputConfig.Outputs and FinalMetricDataList.
    static let nameFields = ["OutputName", "InputName", "MetricName", "ChannelName", "Name"]

    /// The value at `path`, or why the path breaks: where, and what exists there.
    /// `root` names the starting point in messages ("the top level", "step 'Train'").
    package static func walk(_ value: Node, _ path: PropertyPath, root: String = "the top level", keyedLists: Bool = false) -> Result<
        Node, WalkError
    > {
        var current = value
        var walked: [PropertyPath.Segment] = []
        for segment in path.segments {
            let here = walked.isEmpty ? root : "'\(PropertyPath(segments: walked))'"
            switch (segment, current.value) {
            case (.member(let key), .object(let members)), (.key(let key), .object(let members)):
                guard let next = members.first(where: { $0.key == key }) else {
                    let keys = members.map(\.key)
                    return .failure(
                        WalkError(
                            "'\(key)' does not exist at \(here) (keys there: \(keys.isEmpty ? "none" : StepProperties.listing(keys)))"))
                }
                current = next.value
            case (.key(let key), .array(let elements)) where keyedLists:
                guard let next = elements.first(where: { element in nameFields.contains { element[$0]?.string == key } }) else {
                    let names = elements.compactMap { element in nameFields.lazy.compactMap { element[$0]?.string }.first }
                    return .failure(
                        WalkError(
                            "no entry named '\(key)' at \(here) (names there: \(names.isEmpty ? "none" : StepProperties.listing(names)))"))
                }
                current = next
            case (.index(let index), .array(let elements)):
                let resolved = index < 0 ? elements.count + index : index
                guard elements.indices.contains(resolved) else {
                    return .failure(
                        WalkError(
                            "index [\(index)] is out of range at \(here), which has \(elements.count) element\(elements.count == 1 ? "" : "s")"
                        ))
                }
                current = elements[resolved]
            default:
                let what =
                    current.typeName == "array"
                    ? "a list" : current.typeName == "object" ? "an object" : "a \(current.typeName) (\(current.brief))"
                return .failure(WalkError("\(here) is \(what), so \(segment) cannot follow it"))
            }
            walked.append(segment)
        }
        return .success(current)
    }

    package struct WalkError: Error, Equatable {
        package var message: String
        init(_ message: String) { self.message = message }
    }
}
