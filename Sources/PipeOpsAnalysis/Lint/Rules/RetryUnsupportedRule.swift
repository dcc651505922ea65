import PipeOpsModel

struct RetryUnsupportedRule: Rule {
    static let description = RuleDescription(
        id: "retry-unsupported",
        title: "Retry policies are on steps that retry",
        category: .retry,
        severity: .warning,
        rationale: """
            Retry policies apply to Processing, Training, Tuning, AutoML, Transform, Model, \
            RegisterModel, EMR and EndpointConfig steps. SageMaker.* job exception types do not \
            apply to Model and RegisterModel steps (they run no job).
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Check
                Type: Condition
                RetryPolicies: ↓[ { ExceptionType: [Step.THROTTLING] } ]
                Arguments: { Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ] }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING] } ]
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let policies = step.node["RetryPolicies"], let type = step.type, type.isKnown, type != .forEach else { continue }
            if !type.supportsRetry {
                findings.report(
                    "\(type.rawValue) step '\(step.name)' does not retry; its RetryPolicies are ignored or rejected", at: policies,
                    step: step)
                continue
            }
            guard type == .model || type == .registerModel else { continue }
            for policy in policies.elements ?? [] {
                for entry in policy["ExceptionType"]?.elements ?? [] where entry.string?.hasPrefix("SageMaker.") == true {
                    findings.report(
                        "\(entry.string!) does not apply to \(type.rawValue) step '\(step.name)' (it runs no job); use Step.SERVICE_FAULT or Step.THROTTLING",
                        at: entry, step: step)
                }
            }
        }
    }
}
