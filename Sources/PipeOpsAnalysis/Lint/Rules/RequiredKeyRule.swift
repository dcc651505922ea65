import PipeOpsModel

struct RequiredKeyRule: Rule {
    static let description = RuleDescription(
        id: "required-key",
        title: "Required keys are present",
        category: .structure,
        severity: .error,
        rationale: """
            The service rejects a definition without Version or Steps, a step without Name, Type \
            or Arguments, a Lambda step without FunctionArn, a Callback step without SqsQueueUrl, \
            a Condition without Conditions, and a property file or output parameter without its names.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: ↓Stop
                Type: Fail
            """,
            """
            Version: "2020-12-01"
            Steps:
              - Name: ↓Check
                Type: Condition
                Arguments: { IfSteps: [], ElseSteps: [] }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: "stopped" }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        let root = pipeline.root
        guard root.members != nil else {
            findings.report("a pipeline definition must be an object with Version and Steps, not a \(root.typeName)", at: root)
            return
        }
        for key in StructureSchema.topLevelRequired where root[key] == nil {
            findings.report(
                "the definition has no '\(key)'\(key == "Version" ? "; add \"Version\": \"2020-12-01\"" : "; add \"Steps\": [...]")",
                at: root)
        }
        for parameter in root["Parameters"]?.elements ?? [] where parameter.members != nil {
            for key in ["Name", "Type"] where parameter[key] == nil {
                findings.report("a parameter has no '\(key)'", at: parameter["Name"] ?? parameter)
            }
        }
        for step in pipeline.steps {
            let required = step.type.map(StructureSchema.requiredStepKeys) ?? ["Name", "Type"]
            for key in required where !step.node.hasKey(key) {
                let label = step.name.isEmpty ? "a step" : "step '\(step.name)'"
                findings.report("\(label) has no '\(key)'", at: step.node["Name"] ?? step.node, step: step)
            }
            if step.type == .condition, let arguments = step.arguments, arguments.members != nil, arguments["Conditions"] == nil {
                findings.report(
                    "Condition step '\(step.name)' has no 'Conditions' in its Arguments", at: step.node["Name"] ?? step.node, step: step)
            }
            if step.type == .emr, let arguments = step.arguments, arguments.members != nil {
                if arguments["StepConfig"] == nil {
                    findings.report("EMR step '\(step.name)' has no 'StepConfig' in its Arguments", at: arguments, step: step)
                }
                let hasId = arguments["ClusterId"] != nil
                let hasConfig = arguments["ClusterConfig"] != nil
                if hasId == hasConfig {
                    findings.report(
                        "EMR step '\(step.name)' needs exactly one of ClusterId and ClusterConfig\(hasId ? ", not both" : "")",
                        at: arguments, step: step)
                }
            }
            for file in step.node["PropertyFiles"]?.elements ?? [] where file.members != nil {
                for key in ["PropertyFileName", "OutputName", "FilePath"] where file[key] == nil {
                    findings.report("a property file of step '\(step.name)' has no '\(key)'", at: file, step: step)
                }
            }
            for output in step.node["OutputParameters"]?.elements ?? [] where output.members != nil && output["OutputName"] == nil {
                findings.report("an output parameter of step '\(step.name)' has no 'OutputName'", at: output, step: step)
            }
            for policy in step.node["RetryPolicies"]?.elements ?? [] where policy.members != nil && policy["ExceptionType"] == nil {
                findings.report("a retry policy of step '\(step.name)' has no 'ExceptionType' list", at: policy, step: step)
            }
        }
    }
}
