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
            list belongs ("Expecting start of Json Array") fails CreatePipeline. Unknown members \
            and values outside an API enum are warnings. Shapes come from botocore's model.
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
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        let shapes = ServiceShapes.shared
        for step in pipeline.steps {
            guard let type = step.type, let (shape, removed) = ServiceShapes.argumentsShape(for: type),
                  let arguments = step.arguments, arguments.members != nil else { continue }
            var checker = Checker(shapes: shapes, step: step, findings: findings, components: ["Arguments"])
            checker.check(arguments, shape: shape, removed: removed)
            findings = checker.findings
        }
    }

    private struct Checker {
        let shapes: ServiceShapes
        let step: Step
        var findings: FindingSink
        /// The key path to the node being checked; joined into text only when reporting.
        var components: [String] = []

        var path: String { components.joined() }

        mutating func check(_ node: Node, shape name: String, removed: Set<String> = []) {
            guard let shape = shapes[name] else { return }
            if case .object = node.value, Expression.isExpression(node) {
                // Only a scalar can come from Get, Std:Join or Std:JsonGet.
                if case .scalar = shape { return }
                findings.report("\(path) must be \(describe(shape)); an expression (\(node.members?.first?.key ?? "")) cannot produce one — the service fails to parse the definition",
                                at: node, step: step)
                return
            }
            switch shape {
            case .structure(let members, let required):
                guard let present = node.members else {
                    findings.report("\(path) must be an object, not a \(node.typeName)", at: node, step: step)
                    return
                }
                for key in required where !removed.contains(key) && node[key] == nil {
                    findings.report("\(path) is missing required member '\(key)'", at: node, step: step)
                }
                for member in present {
                    guard let memberShape = members[member.key] else {
                        if removed.contains(member.key) { continue }
                        let hint = Suggestion.closest(to: member.key, in: Array(members.keys)).map { "; did you mean '\($0)'?" } ?? ""
                        findings.report("'\(member.key)' is not a member of \(path)\(hint)", at: member.keyLocation, step: step.name, severity: .warning)
                        continue
                    }
                    components.append("." + member.key)
                    check(member.value, shape: memberShape)
                    components.removeLast()
                }
            case .list(let element):
                guard let elements = node.elements else {
                    findings.report("\(path) must be a list, not a \(node.typeName)", at: node, step: step)
                    return
                }
                for (i, value) in elements.enumerated() {
                    components.append("[\(i)]")
                    check(value, shape: element)
                    components.removeLast()
                }
            case .map(let value):
                guard let present = node.members else {
                    findings.report("\(path) must be an object (a map), not a \(node.typeName)", at: node, step: step)
                    return
                }
                for member in present {
                    components.append("['\(member.key)']")
                    check(member.value, shape: value)
                    components.removeLast()
                }
            case .scalar(let type, let allowed):
                checkScalar(node, type: type, allowed: allowed)
            }
        }

        mutating func checkScalar(_ node: Node, type: String, allowed: [String]?) {
            if node.isNull { return }
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
                let quoted = node.string.map { (Int($0) != nil || Double($0) != nil) && want != "a string" ? " (remove the quotes)" : "" } ?? ""
                findings.report("\(path) must be \(want), not \(node.brief)\(quoted)", at: node, step: step)
                return
            }
            if let allowed, let value = node.string, !allowed.contains(value) {
                let hint = Suggestion.closest(to: value, in: allowed).map { "did you mean '\($0)'?" } ?? "allowed: \(allowed.joined(separator: ", "))"
                findings.report("\(path) is '\(value)', which the API does not accept; \(hint)", at: node, step: step, severity: .warning)
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
}
