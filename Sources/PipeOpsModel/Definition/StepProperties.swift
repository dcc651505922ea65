/// What `Steps.<Name>.<path>` can read for each step type: the Describe* response the service
/// exposes (botocore shapes), or the small fixed sets of Condition, Lambda, Callback and check steps.
public enum StepProperties {
    public indirect enum Node: Sendable {
        case shape(String)
        case fixed([String: Node])
        /// A map (or keyed list) whose keys are known when `keys` is non-nil.
        case keyed(Node, keys: [String]?, what: String)
        case scalar
        /// A scalar whose botocore-style type is known (`string`, `integer`, `double`, `boolean`).
        case typed(String)
        case opaque
    }

    /// The outcome of checking one property path.
    public enum Resolution: Equatable, Sendable {
        case valid
        /// Not checkable (unknown step type, ForEach, …).
        case unchecked
        case invalid(String)
        /// A `['name']` lookup naming no output the step declares.
        case undeclared(String)
    }

    static func root(for step: Step) -> Node? {
        switch step.type?.kind?.properties {
        case .shape(let name)?: return .shape(name)
        case .fixed(let members)?: return .fixed(members())
        case .outputParameters?:
            return .fixed(["OutputParameters": .keyed(.scalar, keys: step.outputParameterNames, what: "OutputParameters")])
        case .none?, nil: return nil
        }
    }

    /// Extra members the service adds to some step types beyond their Describe response.
    static func extras(for type: StepType?, _ shapes: ServiceShapes) -> [String: Node] {
        type?.kind?.propertyExtras(shapes) ?? [:]
    }

    /// Checks `path` (the text after `Steps.<Name>`) against what `step` exposes.
    public static func resolve(_ path: PropertyPath, on step: Step, in pipeline: Pipeline? = nil, shapes: ServiceShapes = .shared)
        -> Resolution
    {
        resolveDetailed(path, on: step, in: pipeline, shapes: shapes).0
    }

    /// The botocore scalar type (`string`, `integer`, `double`, `boolean`, …) a valid path ends on,
    /// or the declared OutputType of a Lambda/Callback output; nil when it is not known.
    public static func scalarType(of path: PropertyPath, on step: Step, in pipeline: Pipeline? = nil, shapes: ServiceShapes = .shared)
        -> String?
    {
        if let declared = declaredOutputType(of: path, on: step) { return declared }
        return type(of: resolveDetailed(path, on: step, in: pipeline, shapes: shapes), shapes)
    }

    /// `resolve` and `scalarType` of one path, with one walk.
    public static func resolveWithType(
        _ path: PropertyPath, on step: Step, in pipeline: Pipeline? = nil, shapes: ServiceShapes = .shared
    ) -> (resolution: Resolution, scalarType: String?) {
        let detailed = resolveDetailed(path, on: step, in: pipeline, shapes: shapes)
        if let declared = declaredOutputType(of: path, on: step) { return (detailed.0, declared) }
        return (detailed.0, type(of: detailed, shapes))
    }

    /// For `OutputParameters['name']` of a Lambda or Callback step: the type it declares (the
    /// inner nil when it declares no such output). Nil for every other path.
    private static func declaredOutputType(of path: PropertyPath, on step: Step) -> String?? {
        guard step.type == .lambda || step.type == .callback, path.segments.count == 2, path.segments[0] == .member("OutputParameters"),
            case .key(let name) = path.segments[1]
        else { return nil }
        let declared = step.node["OutputParameters"]?.elements?.first { $0["OutputName"]?.string == name }
        guard let declared else { return .some(nil) }
        switch declared["OutputType"]?.string ?? "String" {
        case "Integer": return "integer"
        case "Float": return "double"
        case "Boolean": return "boolean"
        default: return "string"
        }
    }

    private static func type(of detailed: (Resolution, Node?), _ shapes: ServiceShapes) -> String? {
        guard detailed.0 == .valid, let node = detailed.1 else { return nil }
        switch node {
        case .shape(let name):
            if case .scalar(let type, _)? = shapes[name] { return type }
            return nil
        case .typed(let type): return type
        default: return nil
        }
    }

    static func resolveDetailed(_ path: PropertyPath, on step: Step, in pipeline: Pipeline?, shapes: ServiceShapes) -> (Resolution, Node?) {
        if step.type == .forEach { return resolveForEach(path, on: step, in: pipeline, shapes: shapes) }
        guard let root = root(for: step) else { return (.unchecked, nil) }
        guard !path.segments.isEmpty else {
            return (.invalid("a step reference must name a property, such as Steps.\(step.name).\(sampleMember(root, shapes))"), nil)
        }
        var current = root
        var walked: [PropertyPath.Segment] = []
        let extras = extras(for: step.type, shapes)
        for segment in path.segments {
            // Only messages name where the walk is: a closure, so a valid path builds no text.
            let here = { walked.isEmpty ? "\(step.type?.rawValue ?? "") step '\(step.name)'" : PropertyPath(segments: walked).description }
            switch (segment, expand(current, shapes)) {
            case (.member(let name), .fixed(let members)):
                guard let next = members[name] ?? (walked.isEmpty ? extras[name] : nil) else {
                    return (
                        .invalid(
                            "'\(name)' is not a property of \(here()) (has: \(listing(members.keys + (walked.isEmpty ? Array(extras.keys) : []))))"
                        ), nil
                    )
                }
                current = next
            case (.member(let name), .shape(let shapeName)):
                guard case .structure(let members, _)? = shapes[shapeName] else { return (.valid, nil) }
                if walked.isEmpty, let extra = extras[name] {
                    current = extra
                } else if let next = members[name] {
                    current = .shape(next)
                } else if walked.isEmpty, let extra = extras[name] {
                    current = extra
                } else {
                    let known = Array(members.keys) + (walked.isEmpty ? Array(extras.keys) : [])
                    return (.invalid("'\(name)' is not a property of \(here()) (has: \(listing(known)))"), nil)
                }
            case (.key(let key), .keyed(let element, let keys, let what)):
                if let keys, !keys.contains(key) {
                    return (
                        .undeclared(
                            keys.isEmpty
                                ? "\(what)['\(key)'] names an undeclared output; step '\(step.name)' declares none"
                                : "\(what)['\(key)'] names no declared output of step '\(step.name)' (declared: \(listing(keys)))"), nil
                    )
                }
                current = element
            case (.index, .keyed(let element, _, _)):
                current = element
            case (.index, .shape(let shapeName)), (.key, .shape(let shapeName)):
                switch shapes[shapeName] {
                case .list(let element)?:
                    if case .key(let key) = segment, let declared = declaredNames(for: walked, on: step) {
                        guard declared.names.contains(key) else {
                            return (
                                .undeclared(
                                    declared.names.isEmpty
                                        ? "\(declared.what)['\(key)'] names an undeclared entry; step '\(step.name)' declares none"
                                        : "\(declared.what)['\(key)'] names no declared entry of step '\(step.name)' (declared: \(listing(declared.names)))"
                                ), nil
                            )
                        }
                    }
                    current = .shape(element)
                case .map(let value)?:
                    if case .index = segment {
                        return (.invalid("'\(here())' is a map; use a quoted key such as ['name'], not \(segment)"), nil)
                    }
                    current = .shape(value)
                default:
                    return (.invalid("'\(here())' is not a list or map, so \(segment) cannot follow it"), nil)
                }
            case (_, .opaque):
                return (.valid, current)
            case (.member(let name), .scalar), (.member(let name), .keyed):
                return (.invalid("'\(here())' has no property '\(name)'"), nil)
            default:
                return (.invalid("'\(here())' cannot be indexed with \(segment)"), nil)
            }
            walked.append(segment)
        }
        return (.valid, current)
    }

    /// Scalar results of a ForEach step (SDK v3 `ForEachStep._AGGREGATE_PROPERTY_MEMBERS`).
    static let forEachAggregates = [
        "Status", "InputItemCount", "TotalStepCount", "SucceededStepCount", "FailedStepCount", "StoppedStepCount",
    ]

    /// A ForEach step exposes its aggregates, `IterationOutputs[i].<BodyStep>.<member>` and
    /// `Selected.<member>` (the body step its Selector compares); the rest of the path is checked
    /// against that body step.
    static func resolveForEach(_ path: PropertyPath, on step: Step, in pipeline: Pipeline?, shapes: ServiceShapes) -> (Resolution, Node?) {
        let members = forEachAggregates + ["IterationOutputs", "Selected"]
        guard case .member(let first)? = path.segments.first else {
            return (.invalid("a ForEach step reference must name a property (\(listing(members)))"), nil)
        }
        let rest = Array(path.segments.dropFirst())
        func onBody(_ name: String, _ remaining: [PropertyPath.Segment], via: String) -> (Resolution, Node?) {
            guard !remaining.isEmpty else {
                return (.invalid("\(via) must name a member of body step '\(name)', e.g. \(via).OutputParameters['x']"), nil)
            }
            guard let pipeline, let body = pipeline.step(named: name), body.forEachParent == step.index else { return (.unchecked, nil) }
            return resolveDetailed(PropertyPath(segments: remaining), on: body, in: pipeline, shapes: shapes)
        }
        switch first {
        case _ where forEachAggregates.contains(first):
            return rest.isEmpty
                ? (.valid, .typed(first == "Status" ? "string" : "integer"))
                : (.invalid("'\(first)' of ForEach step '\(step.name)' is a single value; nothing can follow it"), nil)
        case "IterationOutputs":
            guard case .index(let index)? = rest.first else {
                return (
                    .invalid("IterationOutputs of ForEach step '\(step.name)' must be indexed: IterationOutputs[0].<BodyStep>.<member>"),
                    nil
                )
            }
            let bodyNames = step.forEachBodyNames
            guard rest.count > 1, case .member(let name) = rest[1] else {
                return (.invalid("IterationOutputs[\(index)] must name a body step of '\(step.name)' (\(listing(bodyNames)))"), nil)
            }
            guard bodyNames.contains(name) else {
                return (.invalid("'\(name)' is not a body step of ForEach step '\(step.name)' (body: \(listing(bodyNames)))"), nil)
            }
            return onBody(name, Array(rest.dropFirst(2)), via: "IterationOutputs[\(index)].\(name)")
        case "Selected":
            guard let field = step.arguments?["Selector"]?["Field"] else {
                return (
                    .invalid(
                        "ForEach step '\(step.name)' has no Selector, so 'Selected' has no value; read IterationOutputs[i].<BodyStep> instead"
                    ), nil
                )
            }
            guard case .get(.iterationOutput(let name, _), _) = Expression.parse(field) else { return (.unchecked, nil) }
            return onBody(name, rest, via: "Selected")
        default:
            return (.invalid("'\(first)' is not a property of ForEach step '\(step.name)' (has: \(listing(members)))"), nil)
        }
    }

    /// Lists whose `['key']` lookups the service resolves by a name field the step declares.
    private static func declaredNames(for walked: [PropertyPath.Segment], on step: Step) -> (what: String, names: [String])? {
        guard step.type == .processing else { return nil }
        // Names written as expressions cannot be known before run time.
        let outputs = step.arguments?["ProcessingOutputConfig"]?["Outputs"]?.elements ?? []
        let inputs = step.arguments?["ProcessingInputs"]?.elements ?? []
        guard (outputs + inputs).allSatisfy({ ($0["OutputName"] ?? $0["InputName"])?.string != nil }) else { return nil }
        if walked == [.member("ProcessingOutputConfig"), .member("Outputs")] {
            return ("ProcessingOutputConfig.Outputs", step.processingOutputNames)
        }
        if walked == [.member("ProcessingInputs")] { return ("ProcessingInputs", step.processingInputNames) }
        return nil
    }

    /// The member names `Steps.<step>.<path>.` can continue with (for completion): nil when the
    /// path does not resolve or ends on a scalar, a list or a map.
    public static func members(after path: PropertyPath, on step: Step, shapes: ServiceShapes = .shared) -> [String]? {
        guard let root = root(for: step) else { return nil }
        let node: Node
        if path.segments.isEmpty {
            node = root
        } else {
            guard case (.valid, let reached?) = resolveDetailed(path, on: step, in: nil, shapes: shapes) else { return nil }
            node = reached
        }
        let extras = path.segments.isEmpty ? Array(extras(for: step.type, shapes).keys) : []
        switch expand(node, shapes) {
        case .fixed(let members): return (Array(members.keys) + extras).sorted()
        case .shape(let name):
            guard case .structure(let members, _)? = shapes[name] else { return nil }
            return Array(Set(members.keys).union(extras)).sorted()
        default: return nil
        }
    }

    private static func expand(_ node: Node, _ shapes: ServiceShapes) -> Node {
        if case .shape(let name) = node, case .scalar? = shapes[name] { return .scalar }
        return node
    }

    private static func sampleMember(_ node: Node, _ shapes: ServiceShapes) -> String {
        switch node {
        case .fixed(let members): return members.keys.sorted().first ?? "Property"
        case .shape(let name):
            if case .structure(let members, _)? = shapes[name] { return members.keys.sorted().first ?? "Property" }
            return "Property"
        default: return "Property"
        }
    }

    package static func listing<S: Sequence>(_ names: S) -> String where S.Element == String {
        let sorted = Array(Set(names)).sorted()
        if sorted.count > 12 { return sorted.prefix(12).joined(separator: ", ") + ", … \(sorted.count - 12) more" }
        return sorted.joined(separator: ", ")
    }
}
