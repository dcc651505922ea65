/// Which branch of a Condition step a step sits in.
public struct BranchMembership: Hashable, Sendable {
    public enum Branch: String, Sendable {
        case ifSteps = "IfSteps"
        case elseSteps = "ElseSteps"
    }
    /// Index of the Condition step in `Pipeline.steps`.
    public var condition: Int
    public var branch: Branch
    public var outcome: Bool { branch == .ifSteps }
}

/// One `DependsOn` entry: a step name, or (SDK v3 `StepDependency`) `{"Step": name, "Trigger": …}`.
public struct Dependency: Sendable {
    /// The upstream outcome that lets the dependent step run (SDK v3 `TriggerCondition`).
    public enum Trigger: String, Sendable, CaseIterable {
        case completed = "Completed"
        case failed = "Failed"
        case stopped = "Stopped"
        case any = "Any"
    }

    public var name: String
    public var node: Node
    /// An unknown Trigger reads as Completed here; the key-type rule reports it.
    public var trigger: Trigger
}

/// A declared pipeline parameter.
public struct Parameter: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case string = "String"
        case integer = "Integer"
        case float = "Float"
        case boolean = "Boolean"
    }

    public var name: String
    public var kind: Kind?
    public var typeString: String?
    public var defaultValue: Node?
    public var enumValues: [Node]?
    public var node: Node

    /// Why `value` cannot be this parameter's value when an execution starts, or nil: the one
    /// check behind run parameters, environment files and start (type, EnumValues, length).
    /// The text follows "parameter 'Name' ", e.g. `is Integer, not "2" (a string); remove the quotes`.
    public func problem(with value: Node) -> String? {
        if value.isNull { return "is empty; give it a value" }
        guard accepts(value) else {
            let quotes = value.string != nil && kind != .string && kind != nil ? "; remove the quotes" : ""
            return "is \(kind?.rawValue ?? "?"), not \(value.brief) (a \(value.typeName))\(quotes)"
        }
        if let allowed = enumValues?.compactMap(\.string), !allowed.isEmpty, let string = value.string, !allowed.contains(string) {
            return "is \"\(string)\", not one of its EnumValues (\(allowed.joined(separator: ", ")))"
        }
        if let string = value.string {
            if string.isEmpty { return "is empty; the service requires at least one character" }
            if string.count > 1024 { return "is \(string.count) characters; a parameter value holds at most 1024" }
        }
        return nil
    }

    /// Whether `value` has this parameter's JSON type (Float accepts integers, as the service does).
    public func accepts(_ value: Node) -> Bool {
        switch (kind, value.value) {
        case (.string?, .string), (.integer?, .integer), (.float?, .number), (.float?, .integer), (.boolean?, .bool): return true
        case (nil, _): return true
        default: return false
        }
    }
}

/// One step, wherever it is nested. A reference type: rules pass steps around constantly and
/// a step never changes once the pipeline is read.
public final class Step: Sendable {
    public let index: Int
    public let name: String
    public let node: Node
    public let type: StepType?
    public let arguments: Node?
    public let dependsOn: [Dependency]
    /// The Condition branch this step is in, if any.
    public let membership: BranchMembership?
    /// Index of the ForEach step whose body holds this step, if any. Body steps run once per
    /// item, inside their ForEach step; they are never scheduled on their own.
    public let forEachParent: Int?
    /// Every expression in the step outside nested branch steps.
    public let expressions: [Expression]

    public init(
        index: Int, name: String, node: Node, type: StepType?, arguments: Node?, dependsOn: [Dependency],
        membership: BranchMembership?, forEachParent: Int? = nil, expressions: [Expression]
    ) {
        self.forEachParent = forEachParent
        self.index = index
        self.name = name
        self.node = node
        self.type = type
        self.arguments = arguments
        self.dependsOn = dependsOn
        self.membership = membership
        self.expressions = expressions
    }

    public var nameLocation: SourceLocation { node["Name"]?.location ?? node.location }

    /// All `Get` references in this step (not in its branch steps).
    public func forEachReference(_ body: (Reference, Node) -> Void) {
        for expression in expressions { expression.forEachReference(body) }
    }

    /// Output names declared in `ProcessingOutputConfig.Outputs` (literal names only).
    public var processingOutputNames: [String] {
        arguments?["ProcessingOutputConfig"]?["Outputs"]?.elements?.compactMap { $0["OutputName"]?.string } ?? []
    }

    public var processingInputNames: [String] {
        arguments?["ProcessingInputs"]?.elements?.compactMap { $0["InputName"]?.string } ?? []
    }

    /// `PropertyFiles` declared on the step: name, output name, file path, node.
    public var propertyFiles: [(name: String, outputName: String?, filePath: String?, node: Node)] {
        node["PropertyFiles"]?.elements?.compactMap { entry in
            guard let name = entry["PropertyFileName"]?.string else { return nil }
            return (name, entry["OutputName"]?.string, entry["FilePath"]?.string, entry)
        } ?? []
    }

    /// The names of the steps in a ForEach step's `ForEachBody`.
    public var forEachBodyNames: [String] {
        arguments?["ForEachBody"]?.elements?.compactMap { $0["Name"]?.string } ?? []
    }

    /// Lambda and Callback `OutputParameters` names.
    public var outputParameterNames: [String] {
        node["OutputParameters"]?.elements?.compactMap { $0["OutputName"]?.string } ?? []
    }
}

/// A definition read into steps and parameters. Building it never fails: whatever is missing or
/// ill-typed is left out here and reported by the structure rules.
public struct Pipeline: Sendable {
    public var document: Document
    public var parameters: [Parameter]
    /// Every step in document order, branch steps right after their Condition step's position.
    public var steps: [Step]
    /// First step with each name.
    public var stepIndex: [String: Int]

    public var root: Node { document.root }

    /// Definitions with fewer steps are read on one thread.
    static let concurrentSteps = 2_000

    public init(document: Document) {
        self.document = document
        let root = document.root
        parameters = (root["Parameters"]?.elements ?? []).compactMap { node -> Parameter? in
            guard let name = node["Name"]?.string else { return nil }
            let typeString = node["Type"]?.string
            return Parameter(
                name: name, kind: typeString.flatMap(Parameter.Kind.init(rawValue:)), typeString: typeString,
                defaultValue: node["DefaultValue"].flatMap { $0.isNull ? nil : $0 },
                enumValues: node["EnumValues"]?.elements, node: node)
        }
        // Every step node in document order with its place (a Condition's branch steps right
        // after it), then each step, which depends on its own node alone: built on several
        // threads for a large definition.
        var places: [(node: Node, type: StepType?, membership: BranchMembership?, forEachParent: Int?)] = []
        func gather(_ nodes: [Node], membership: BranchMembership?, forEachParent: Int?) {
            for node in nodes where node.members != nil {
                let index = places.count
                let type = node["Type"]?.string.map(StepType.init)
                places.append((node, type, membership, forEachParent))
                guard let arguments = node["Arguments"] else { continue }
                if type == .condition {
                    gather(
                        arguments["IfSteps"]?.elements ?? [], membership: BranchMembership(condition: index, branch: .ifSteps),
                        forEachParent: forEachParent)
                    gather(
                        arguments["ElseSteps"]?.elements ?? [], membership: BranchMembership(condition: index, branch: .elseSteps),
                        forEachParent: forEachParent)
                } else if type == .forEach {
                    gather(arguments["ForEachBody"]?.elements ?? [], membership: nil, forEachParent: index)
                }
            }
        }
        gather(root["Steps"]?.elements ?? [], membership: nil, forEachParent: nil)
        let found = places
        let workers = found.count >= Pipeline.concurrentSteps ? Concurrently.workers : 1
        let steps = Concurrently.map(found.count, workers: workers) { index in
            let (node, type, membership, forEachParent) = found[index]
            return Step(
                index: index, name: node["Name"]?.string ?? "", node: node, type: type, arguments: node["Arguments"],
                dependsOn: Pipeline.dependencies(of: node), membership: membership, forEachParent: forEachParent,
                expressions: Pipeline.collectExpressions(in: node, type: type))
        }
        self.steps = steps
        var index: [String: Int] = [:]
        for step in steps where index[step.name] == nil { index[step.name] = step.index }
        stepIndex = index
    }

    public func step(named name: String) -> Step? {
        stepIndex[name].map { steps[$0] }
    }

    public func parameter(named name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// The `DependsOn` entries of a step node: names, and `{"Step", "Trigger"}` objects (SDK v3).
    /// Older tools wrote `{"StepName": …}`; that is read too.
    static func dependencies(of node: Node) -> [Dependency] {
        (node["DependsOn"]?.elements ?? []).compactMap { entry in
            if let name = entry.string { return Dependency(name: name, node: entry, trigger: .completed) }
            guard let name = (entry["Step"] ?? entry["StepName"] ?? entry["Name"])?.string else { return nil }
            let trigger = entry["Trigger"]?.string.flatMap(Dependency.Trigger.init(rawValue:)) ?? .completed
            return Dependency(name: name, node: entry["Step"] ?? entry["StepName"] ?? entry["Name"] ?? entry, trigger: trigger)
        }
    }

    /// Finds every expression in a step, skipping the lists that hold steps of their own
    /// (a Condition's branches, a ForEach body) and the keys that hold names rather than values.
    private static let nameKeys: Set<String> = ["Name", "Type", "DependsOn", "DisplayName", "Description"]

    static func collectExpressions(in step: Node, type: StepType?) -> [Expression] {
        let nested: Set<String> = type == .condition ? ["IfSteps", "ElseSteps"] : type == .forEach ? ["ForEachBody"] : []
        var found: [Expression] = []
        func visit(_ node: Node, depth: Int, inArguments: Bool) {
            switch node.value {
            case .object(let members):
                if Expression.isExpression(node) {
                    found.append(Expression.parse(node))
                    return
                }
                for index in members.indices {
                    let key = members[index].key
                    if depth == 0 {
                        if Pipeline.nameKeys.contains(key) { continue }
                        visit(members[index].value, depth: 1, inArguments: key == "Arguments")
                        continue
                    }
                    if inArguments && depth == 1 && nested.contains(key) { continue }
                    visit(members[index].value, depth: depth + 1, inArguments: inArguments)
                }
            case .array(let elements):
                for index in elements.indices { visit(elements[index], depth: depth + 1, inArguments: inArguments) }
            default: break
            }
        }
        visit(step, depth: 0, inArguments: false)
        return found
    }
}
