import PipeOpsModel

struct KeyTypeRule: Rule {
    static let description = RuleDescription(
        id: "key-type",
        title: "Keys have the JSON type the service expects",
        category: .structure,
        severity: .error,
        rationale: """
            The service parses the definition into typed fields: a string where a list belongs, or \
            a number written as a string, fails CreatePipeline with a parse error that names no step.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                DependsOn: ↓Other
                Arguments: { ErrorMessage: "stopped" }
            """,
            """
            Version: "2020-12-01"
            Steps: ↓{}
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ ↓Stop ]
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: "stopped" }
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: Work
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:work"
                Arguments: {}
              - Name: Notify
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:notify"
                Arguments: {}
                DependsOn: [{ Step: Work, Trigger: ↓Failure }]
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            PipelineExperimentConfig: null
            Steps:
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: "stopped" }
            """,
            """
            Version: "2020-12-01"
            MlflowConfig: null
            Steps:
              - Name: Work
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:work"
                Arguments: {}
              - Name: Notify
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:notify"
                Arguments: {}
                DependsOn: [{ Step: Work, Trigger: Failed }]
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        StructureSchema.forEachObject(in: pipeline) { object, schema, label, step in
            guard case .object(let members) = object.value else { return }
            for index in members.indices {
                guard let kind = schema[members[index].key], members[index].key != "DefaultValue" else { continue }
                let member = members[index]
                if !kind.accepts(member.value) {
                    findings.report(
                        "'\(member.key)' in \(label()) must be \(kind.phrase), not \(member.value.typeName == "object" ? "an object" : "a \(member.value.typeName)")",
                        at: member.value, step: step)
                    continue
                }
                switch member.key {
                case "Steps", "Parameters", "RetryPolicies", "PropertyFiles", "OutputParameters", "IfSteps", "ElseSteps", "Conditions",
                    "ForEachBody":
                    for element in member.value.elements ?? [] where element.members == nil {
                        if ["IfSteps", "ElseSteps", "ForEachBody"].contains(member.key), let name = element.string {
                            // A name where a step belongs: say which, and where that step is.
                            let exists =
                                pipeline.step(named: name).map { found in
                                    found.membership == nil && found.forEachParent == nil
                                        ? "step '\(name)' is defined in the top-level Steps: move its whole object here (and out of Steps)"
                                        : "step '\(name)' is defined elsewhere in a branch or body; a step can be in one place only"
                                } ?? "no step named '\(name)' exists; write the step's whole object here"
                            findings.report(
                                "\(member.key) of \(label()) lists \"\(name)\", a name; it must hold step objects — \(exists)", at: element,
                                step: step)
                            continue
                        }
                        findings.report(
                            "each entry of '\(member.key)' in \(label()) must be an object, not a \(element.typeName)", at: element,
                            step: step)
                    }
                case "DependsOn":
                    for element in member.value.elements ?? [] where element.string == nil {
                        guard element.members != nil else {
                            findings.report(
                                "each DependsOn entry must be a step name or {\"Step\": name, \"Trigger\": …}, not a \(element.typeName)",
                                at: element, step: step)
                            continue
                        }
                        if (element["Step"] ?? element["StepName"] ?? element["Name"])?.string == nil {
                            findings.report("a DependsOn object needs \"Step\": the name of the step it waits for", at: element, step: step)
                        }
                        if let trigger = element["Trigger"] {
                            let known = Dependency.Trigger.allCases.map(\.rawValue)
                            if let value = trigger.string, !known.contains(value) {
                                let hint = Suggestion.didYouMean(value, in: known)
                                findings.report(
                                    "DependsOn Trigger '\(value)' is not one of \(known.joined(separator: ", "))\(hint)", at: trigger,
                                    step: step)
                            } else if trigger.string == nil {
                                findings.report(
                                    "DependsOn Trigger must be a string (\(known.joined(separator: ", "))), not a \(trigger.typeName)",
                                    at: trigger, step: step)
                            }
                        }
                    }
                case "ExceptionType", "EnumValues":
                    if member.key == "EnumValues" { break }
                    for element in member.value.elements ?? [] where element.string == nil {
                        findings.report("each ExceptionType entry must be a string, not a \(element.typeName)", at: element, step: step)
                    }
                case "Metadata":
                    for entry in member.value.members ?? [] where entry.value.string == nil {
                        findings.report("Metadata value '\(entry.key)' must be a string, not a \(entry.value.typeName)", at: entry.value)
                    }
                case "OutputType":
                    if let type = member.value.string, !["String", "Integer", "Boolean", "Float"].contains(type) {
                        findings.report("OutputType '\(type)' is not one of String, Integer, Boolean, Float", at: member.value, step: step)
                    }
                default: break
                }
            }
        }
    }
}
