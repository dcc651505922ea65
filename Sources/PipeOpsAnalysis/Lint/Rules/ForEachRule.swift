import PipeOpsModel

/// The ForEach step of SDK v3 (`sagemaker.mlops.workflow.for_each_step`): its arguments, its
/// body as a scope of its own, and the two reference roots that exist only there.
struct ForEachRule: Rule {
    static let description = RuleDescription(
        id: "for-each",
        title: "ForEach steps, their bodies and their references are well formed",
        category: .structure,
        severity: .error,
        rationale: """
            A ForEach step runs every step of its ForEachBody once per item of IterableItems, at \
            most MaxConcurrency (1–50) at a time. A literal item list holds 1–100 scalars or \
            expressions; a body may not hold Condition, Fail or ForEach steps; \
            ForEach.CurrentItem means something only in a body step, IterationOutput.<BodyStep> \
            only in the step's Selector.Field, which must name a body step of that ForEach and a \
            member of it; Pick is MaxBy or MinBy. Child steps are named <BodyStep>-<index>, so no \
            other step may be named like that. Source: SDK v3 for_each_step.py validation.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Fan
                Type: ForEach
                Arguments:
                  IterableItems: [a, b]
                  MaxConcurrency: ↓80
                  ForEachBody:
                    - Name: Score
                      Type: Lambda
                      FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:score"
                      Arguments: { item: { Get: ForEach.CurrentItem } }
              - Name: After
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:after"
                Arguments: { item: { Get: ↓ForEach.CurrentItem } }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Fan
                Type: ForEach
                Arguments:
                  IterableItems: [a]
                  MaxConcurrency: 1
                  Selector: { Pick: MaxBy, Field: { Get: ↓"IterationOutput.Other.OutputParameters['x']" } }
                  ForEachBody:
                    - Name: ↓Stop
                      Type: Fail
                      Arguments: { ErrorMessage: "no" }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Regions, Type: String, DefaultValue: '["us-east-1", "eu-west-1"]' }
            Steps:
              - Name: Fan
                Type: ForEach
                Arguments:
                  IterableItems: { Get: Parameters.Regions }
                  MaxConcurrency: 2
                  Selector: { Pick: MinBy, Field: { Get: "IterationOutput.Score.OutputParameters['loss']" } }
                  ForEachBody:
                    - Name: Score
                      Type: Lambda
                      FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:score"
                      Arguments: { region: { Get: ForEach.CurrentItem } }
                      OutputParameters: [{ OutputName: loss, OutputType: Float }]
              - Name: Publish
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:publish"
                Arguments: { loss: { Get: "Steps.Fan.Selected.OutputParameters['loss']" } }
            """
        ])

    static let maxConcurrency = 1...50
    static let literalItems = 1...100
    static let picks = ["MaxBy", "MinBy"]

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        var bodyNames: [String: String] = [:] // body step name -> its ForEach
        for step in pipeline.steps where step.type == .forEach {
            guard let arguments = step.arguments, arguments.members != nil else { continue }
            for key in StructureSchema.forEachArgumentsRequired where arguments[key] == nil {
                findings.report(
                    "ForEach step '\(step.name)' has no '\(key)' in its Arguments", at: step.node["Name"] ?? step.node, step: step)
            }
            if let limit = arguments["MaxConcurrency"], let value = limit.int, !Self.maxConcurrency.contains(value) {
                findings.report("MaxConcurrency of ForEach step '\(step.name)' is \(value); it must be 1–50", at: limit, step: step)
            }
            if let items = arguments["IterableItems"]?.elements {
                if !Self.literalItems.contains(items.count) {
                    findings.report(
                        "a literal IterableItems list holds 1–100 items, not \(items.count); pass more as a JSON list from a parameter or a step property",
                        at: arguments["IterableItems"]!, step: step)
                }
                for item in items where item.isNull || item.elements != nil || (item.members != nil && !Expression.isExpression(item)) {
                    findings.report(
                        "each IterableItems entry must be a string, number, boolean or expression, not \(item.typeName == "object" ? "an object" : "a \(item.typeName)"); write an object item as a JSON string",
                        at: item, step: step)
                }
            }
            let body = arguments["ForEachBody"]?.elements ?? []
            if arguments["ForEachBody"] != nil && body.isEmpty {
                findings.report(
                    "ForEachBody of ForEach step '\(step.name)' is empty; it needs at least one step", at: arguments["ForEachBody"]!,
                    step: step)
            }
            for entry in body {
                guard let type = entry["Type"]?.string, ["Condition", "Fail", "ForEach"].contains(type) else { continue }
                findings.report(
                    "a \(type) step cannot be in the body of ForEach step '\(step.name)' (Condition, Fail and ForEach are not allowed there)",
                    at: entry["Name"] ?? entry, step: step)
            }
            for name in step.forEachBodyNames { bodyNames[name] = step.name }
            checkSelector(of: step, in: pipeline, shapes: context.shapes, into: &findings)
        }
        // Child steps are named <BodyStep>-<index>; another step of that name collides (SDK docs).
        for step in pipeline.steps where step.forEachParent == nil {
            guard let dash = step.name.lastIndex(of: "-") else { continue }
            let base = String(step.name[..<dash])
            let suffix = step.name[step.name.index(after: dash)...]
            if let owner = bodyNames[base], !suffix.isEmpty, suffix.allSatisfy(\.isNumber) {
                findings.report(
                    "step name '\(step.name)' collides with the child steps of '\(base)' in ForEach '\(owner)' (named \(base)-0, \(base)-1, …); rename it",
                    at: step.node["Name"] ?? step.node, step: step)
            }
        }
        context.forEachReference { reference, node, step in
            switch reference {
            case .currentItem:
                guard step.index >= 0, step.forEachParent == nil else { return }
                findings.report(
                    "'\(reference.text)' has a value only in the body steps of a ForEach step, and '\(step.name)' is not in one",
                    at: node.location, step: step.findingName)
            case .iterationOutput:
                let field = step.type == .forEach ? step.arguments?["Selector"]?["Field"]?["Get"] : nil
                guard field?.location != node.location else { return }
                findings.report(
                    "'\(reference.text)' is valid only as the Selector.Field of a ForEach step; downstream steps read Steps.<ForEach>.Selected or Steps.<ForEach>.IterationOutputs[i]",
                    at: node.location, step: step.findingName)
            default: break
            }
        }
    }

    private func checkSelector(of step: Step, in pipeline: Pipeline, shapes: ServiceShapes, into findings: inout FindingSink) {
        guard let selector = step.arguments?["Selector"], selector.members != nil else { return }
        if let pick = selector["Pick"], let value = pick.string, !Self.picks.contains(value) {
            let hint = Suggestion.didYouMean(value, in: Self.picks)
            findings.report("Selector Pick '\(value)' is not MaxBy or MinBy\(hint)", at: pick, step: step)
        }
        guard let field = selector["Field"] else {
            findings.report("the Selector of ForEach step '\(step.name)' has no Field", at: selector, step: step)
            return
        }
        let body = step.forEachBodyNames
        guard case .get(let reference, let node) = Expression.parse(field), case .iterationOutput(let name, let path) = reference else {
            findings.report(
                "Selector.Field must be {\"Get\": \"IterationOutput.<BodyStep>.<member>\"} naming a body step (\(body.joined(separator: ", ")))",
                at: field, step: step)
            return
        }
        if !body.contains(name) {
            let hint = Suggestion.hint(name, in: body) ?? " (body steps: \(body.joined(separator: ", ")))"
            findings.report(
                "Selector.Field reads '\(name)', which is not a body step of ForEach '\(step.name)'\(hint)", at: node, step: step)
        } else if path.isEmpty {
            findings.report(
                "Selector.Field must name a member of body step '\(name)', e.g. IterationOutput.\(name).OutputParameters['x']",
                at: node, step: step)
        } else if let body = pipeline.step(named: name), case .success(let parsed) = PropertyPath.parseProperty(path),
            case .invalid(let message) = StepProperties.resolve(parsed, on: body, in: pipeline, shapes: shapes)
        {
            findings.report("Selector.Field '\(reference.text)': \(message)", at: node, step: step)
        }
    }
}
