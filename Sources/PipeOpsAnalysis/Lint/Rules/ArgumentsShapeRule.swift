import PipeOpsModel

struct ArgumentsShapeRule: Rule {
    static let description = RuleDescription(
        id: "arguments-shape",
        title: "Step Arguments match the SageMaker API request",
        category: .structure,
        severity: .error,
        rationale: """
            A job step's Arguments are the request of its API (CreateProcessingJob, \
            CreateTrainingJob, …) without the job name. The service parses them against the API \
            model: a missing required member, a list where an object belongs, or a Get where a \
            list belongs ("Expecting start of Json Array") fails CreatePipeline, and so does a \
            parameter or step property whose type cannot fill the field ("Cannot assign property \
            reference [Parameters.X] to argument of type …"). Sizes and ranges of the API model \
            (ProcessingInputs at most 10, ClusterConfig.InstanceCount 1–100, InputDataConfig \
            1–20, …) are not checked at CreatePipeline: the job fails when it starts. They are \
            checked here on literals, on the defaults of parameters that flow into them, and on \
            environment values (environment-parameter). Literal strings must match the model's \
            pattern where it says something (a processing LocalPath under /opt/ml/processing/, S3 \
            URIs, ARNs, names). Members, and values outside an API enum, that the model does not \
            know are warnings naming the model's botocore version, never errors; an object with \
            such a member has its missing required members reported as warnings too (the new \
            member may be the documented alternative, as InstancePreferences is for \
            InstanceCount/InstanceType). Shapes, limits and patterns come from botocore's model.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification: { TrainingInputMode: File, TrainingImage: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  OutputDataConfig: { S3OutputPath: "s3://b/out" }
                  ResourceConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: ↓"30" }
                  StoppingCondition: { MaxRuntimeInSeconds: 3600 }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  ↓ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingInputs: ↓{ Get: Parameters.Inputs }
            Parameters:
              - { Name: Inputs, Type: String, DefaultValue: "s3://b/in" }
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: InstanceType, Type: String, DefaultValue: ml.m5.xlarge }
              - { Name: Count, Type: Integer, DefaultValue: ↓0 }
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  AppSpecification: { ImageUri: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingResources:
                    ClusterConfig:
                      InstanceCount: { Get: ↓Parameters.InstanceType }
                      InstanceType: { Get: Parameters.InstanceType }
                      VolumeSizeInGB: ↓0
                  StoppingCondition: { MaxRuntimeInSeconds: { Get: Parameters.Count } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: 1 }
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  AppSpecification: { ImageUri: img, ContainerEntrypoint: [python3, /opt/ml/processing/code/p.py] }
                  ProcessingResources: { ClusterConfig: { InstanceCount: { Get: Parameters.Count }, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        guard let first = pipeline.steps.first else { return }
        // One checker for every step: its findings and pattern answers are not copied per step.
        var checker = Checker(
            shapes: context.shapes, pipeline: pipeline, step: first, findings: findings, components: [.member("Arguments")],
            context: context)
        findings = FindingSink(rule: findings.rule, file: findings.file)
        for step in pipeline.steps {
            guard let type = step.type, let (shape, removed) = ServiceShapes.argumentsShape(for: type),
                let arguments = step.arguments, arguments.members != nil
            else { continue }
            checker.step = step
            checker.check(arguments, shape: shape, removed: removed)
        }
        findings = checker.findings
    }

    /// Every place a parameter flows into a typed API field, for the environment rule.
    static func parameterSinks(in pipeline: Pipeline, shapes: ServiceShapes = .shared) -> [ParameterSink] {
        var sinks: [ParameterSink] = []
        for step in pipeline.steps {
            guard let type = step.type, let (shape, removed) = ServiceShapes.argumentsShape(for: type),
                let arguments = step.arguments, arguments.members != nil
            else { continue }
            var checker = Checker(
                shapes: shapes, pipeline: pipeline, step: step, findings: FindingSink(rule: description, file: ""),
                components: [.member("Arguments")])
            checker.collectsSinks = true
            checker.check(arguments, shape: shape, removed: removed)
            sinks += checker.sinks
        }
        return sinks
    }

    private struct Checker {
        let shapes: ServiceShapes
        let pipeline: Pipeline
        /// The lint's context, whose cache answers step property types. Nil outside a lint
        /// (`parameterSinks`, which keeps no findings): step properties are then not judged.
        let context: LintContext?
        var step: Step
        var findings: FindingSink
        /// Where parameters flow, recorded only for `parameterSinks` (a lint has no use for them).
        var sinks: [ParameterSink] = []
        var collectsSinks = false
        /// Pattern answers shared by every step of one lint, one table per pattern (see
        /// `ServiceShapes.matchesPattern`).
        var patternMemo: [[String: Bool]]
        /// The key path to the node being checked; joined into text only when reporting.
        var components: [Component] = []

        /// One step of the key path; kept as its parts so a valid field costs no text.
        enum Component {
            case member(String)
            case index(Int)
            case key(String)
        }

        var path: String {
            components.enumerated().map { offset, component in
                switch component {
                case .member(let name): return offset == 0 ? name : "." + name
                case .index(let index): return "[\(index)]"
                case .key(let key): return "['\(key)']"
                }
            }.joined()
        }

        init(
            shapes: ServiceShapes, pipeline: Pipeline, step: Step, findings: FindingSink, components: [Component],
            context: LintContext? = nil
        ) {
            self.shapes = shapes
            self.context = context
            self.pipeline = pipeline
            self.step = step
            self.findings = findings
            self.components = components
            patternMemo = Array(repeating: [:], count: shapes.patternCount)
        }

        mutating func check(_ node: Node, shape name: String, removed: Set<String> = []) {
            guard let entry = shapes.entry(name) else { return }
            check(node, entry: entry, removed: removed)
        }

        mutating func check(_ node: Node, entry: ServiceShapes.Entry, removed: Set<String> = []) {
            let shape = entry.shape
            if case .object = node.value, Expression.isExpression(node) {
                // Only a scalar can come from Get, Std:Join or Std:JsonGet.
                if case .scalar(let type, _) = shape {
                    checkReference(node, type: type, limits: entry.limits)
                    return
                }
                findings.report(
                    "\(path) must be \(describe(shape)); an expression (\(node.members?.first?.key ?? "")) cannot produce one — the service fails to parse the definition",
                    at: node, step: step)
                return
            }
            switch shape {
            case .structure(_, let required):
                guard let present = node.members else {
                    findings.report("\(path) must be an object, not a \(node.typeName)", at: node, step: step)
                    return
                }
                for key in required where !node.hasKey(key) && !removed.contains(key) {
                    let unknown = present.filter { entry.member($0.key) == nil && !removed.contains($0.key) }.map(\.key)
                    if unknown.isEmpty {
                        findings.report("\(path) is missing required member '\(key)'", at: node, step: step)
                    } else {
                        // A member the model does not know may be a newer alternative to this one.
                        findings.report(
                            "\(path) has no '\(key)', which the model requires; \(unknown.map { "'\($0)'" }.joined(separator: ", ")) may replace it in a newer API (\(shapes.updateHint))",
                            at: node, step: step, severity: .warning)
                    }
                }
                // By index: a `for member in` loop copies (and retains) every member it passes.
                for index in present.indices {
                    // Read in place: a copy of the member would retain its key and value.
                    let key = present[index].key
                    guard let (memberShape, position, pattern) = entry.member(key) else {
                        if removed.contains(key) { continue }
                        let hint = Suggestion.didYouMean(key, in: entry.memberNames)
                        findings.report(
                            "'\(key)' is not a member of \(path)\(hint); \(shapes.updateHint)", at: present[index].keyLocation,
                            step: step.name,
                            severity: .warning)
                        continue
                    }
                    components.append(.member(key))
                    if let memberEntry = shapes.entry(at: position) { check(present[index].value, entry: memberEntry) }
                    if let pattern, let value = present[index].value.string,
                        !ServiceShapes.matches(value, pattern: pattern)
                    {
                        findings.report(
                            "\(path) is \(present[index].value.brief); the API documentation requires it to match \(pattern)\(ArgumentsShapeRule.patternHint(memberShape, value)); the job fails when it starts",
                            at: present[index].value, step: step)
                    }
                    components.removeLast()
                }
            case .list:
                let element = shapes.entry(at: entry.element)
                guard let elements = node.elements else {
                    findings.report("\(path) must be a list, not a \(node.typeName)", at: node, step: step)
                    return
                }
                checkCount(elements.count, of: node, first: elements, limits: entry.limits, noun: "entries")
                guard let element else { return }
                for i in elements.indices {
                    components.append(.index(i))
                    check(elements[i], entry: element)
                    components.removeLast()
                }
            case .map:
                let value = shapes.entry(at: entry.element)
                guard let present = node.members else {
                    findings.report("\(path) must be an object (a map), not a \(node.typeName)", at: node, step: step)
                    return
                }
                checkCount(present.count, of: node, first: present.map(\.value), limits: entry.limits, noun: "keys")
                guard let value else { return }
                for index in present.indices {
                    components.append(.key(present[index].key))
                    check(present[index].value, entry: value)
                    components.removeLast()
                }
            case .scalar(let type, let allowed):
                checkScalar(node, type: type, allowed: allowed, entry: entry)
            }
        }

        /// Lists and maps beyond the API's entry counts; reported at the first entry too many.
        mutating func checkCount(_ count: Int, of node: Node, first entries: [Node], limits: ServiceShapes.Limits?, noun: String) {
            guard let limits, !limits.contains(Double(count)) else { return }
            let anchor = limits.max.flatMap { Int($0) < entries.count ? entries[Int($0)] : nil } ?? node
            findings.report(
                "\(path) has \(count) \(noun); the API allows \(limits.phrase) (the service accepts the definition and the job fails when it starts)",
                at: anchor, step: step)
        }

        /// A `Get` in a typed field: the parameter or property must have a type that can fill it,
        /// and a parameter's default must fit the field's range.
        mutating func checkReference(_ node: Node, type: String, limits: ServiceShapes.Limits?) {
            guard case .get(let reference, let referenceNode) = Expression.parse(node) else { return }
            switch reference {
            case .parameter(let name):
                guard let parameter = pipeline.parameter(named: name) else { return }
                if collectsSinks {
                    sinks.append(ParameterSink(parameter: name, step: step.name, field: path, type: type, limits: limits))
                }
                if let kind = parameter.kind, !ArgumentsShapeRule.accepts(type, kind.apiType) {
                    findings.report(
                        "\(path) is \(ArgumentsShapeRule.article(type)) field, but Parameters.\(name) is a \(kind.rawValue) parameter; the service rejects the definition (\"Cannot assign property reference [Parameters.\(name)] to argument of type …\"): declare it as \(ArgumentsShapeRule.parameterKind(for: type)) or use a literal",
                        at: referenceNode, step: step)
                } else if let limits, let value = parameter.defaultValue,
                    let problem = ArgumentsShapeRule.outOfRange(value, type: type, limits: limits)
                {
                    findings.report(
                        "the default of parameter '\(name)' is \(problem), but it flows into \(path) of step '\(step.name)', which takes \(ArgumentsShapeRule.rangePhrase(type, limits)); the job would fail when it starts",
                        at: value, step: step)
                }
            case .stepProperty:
                guard let propertyType = context?.scalarType(of: reference), !ArgumentsShapeRule.accepts(type, propertyType) else {
                    return
                }
                findings.report(
                    "\(path) is \(ArgumentsShapeRule.article(type)) field, but '\(reference.text)' is \(ArgumentsShapeRule.article(propertyType)); the service rejects the definition (\"Cannot assign property reference … to argument of type …\")",
                    at: referenceNode, step: step)
            default: break
            }
        }

        mutating func checkScalar(_ node: Node, type: String, allowed: [String]?, entry: ServiceShapes.Entry) {
            if node.isNull { return }
            let limits = entry.limits
            let shape = entry.name
            let ok: Bool
            switch (type, node.value) {
            case ("string", .string), ("timestamp", .string), ("blob", .string): ok = true
            case ("integer", .integer), ("long", .integer): ok = true
            case ("float", .integer), ("double", .integer), ("float", .number), ("double", .number): ok = true
            case ("boolean", .bool): ok = true
            case ("timestamp", .integer), ("timestamp", .number): ok = true
            default: ok = false
            }
            guard ok else {
                let want: String
                switch type {
                case "integer", "long": want = "a whole number"
                case "float", "double": want = "a number"
                case "boolean": want = "true or false"
                default: want = "a string"
                }
                let quoted =
                    node.string.map { (Int($0) != nil || Double($0) != nil) && want != "a string" ? " (remove the quotes)" : "" } ?? ""
                findings.report("\(path) must be \(want), not \(node.brief)\(quoted)", at: node, step: step)
                return
            }
            if let limits, let problem = ArgumentsShapeRule.outOfRange(node, type: type, limits: limits) {
                findings.report(
                    "\(path) is \(problem); the API takes \(ArgumentsShapeRule.rangePhrase(type, limits)) (the service accepts the definition and the job fails when it starts)",
                    at: node, step: step)
                return
            }
            if let allowed, let value = node.string, !allowed.contains(value) {
                let hint = Suggestion.hint(value, in: allowed) ?? " (allowed: \(allowed.joined(separator: ", ")))"
                findings.report(
                    "\(path) is '\(value)', which the API model does not list\(hint); \(shapes.updateHint)", at: node, step: step,
                    severity: .warning)
                return
            }
            if let value = node.string, !ServiceShapes.matchesPattern(value, of: entry, memo: &patternMemo) {
                findings.report(
                    "\(path) is \(node.brief), which does not match the API's pattern \(entry.pattern ?? "") for \(shape)\(ArgumentsShapeRule.patternHint(shape, value)); the job fails when it starts",
                    at: node, step: step)
            }
        }

        func describe(_ shape: ServiceShapes.Shape) -> String {
            switch shape {
            case .structure: return "an object"
            case .list: return "a list"
            case .map: return "an object (a map)"
            case .scalar(let type, _): return "a \(type)"
            }
        }
    }

    /// What to write instead, for the patterns users break most.
    static func patternHint(_ shape: String, _ value: String) -> String {
        switch shape {
        case "ProcessingLocalPath":
            return value.hasPrefix("/") ? " (inputs are staged under /opt/ml/processing/)" : " (write /opt/ml/processing/\(value))"
        case "S3Uri", "DestinationS3Uri":
            return value.hasPrefix("s3://") || value.hasPrefix("https://") ? "" : " (write s3://bucket/key)"
        default: return ""
        }
    }
}

/// Where a parameter's value lands: a typed API field of a step's Arguments, with its limits.
public struct ParameterSink: Sendable {
    public var parameter: String
    public var step: String
    public var field: String
    public var type: String
    public var limits: ServiceShapes.Limits?
}

extension Parameter.Kind {
    /// The botocore type a value of this parameter type has.
    var apiType: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "double"
        case .boolean: return "boolean"
        }
    }
}
