import PipeOpsModel

struct RetryExceptionTypeRule: Rule {
    static let description = RuleDescription(
        id: "retry-exception-type",
        title: "Retry policies name exception types that exist",
        category: .retry,
        severity: .error,
        rationale: """
            ExceptionType is a list of Step.SERVICE_FAULT, Step.THROTTLING, \
            SageMaker.JOB_INTERNAL_ERROR, SageMaker.CAPACITY_ERROR, SageMaker.RESOURCE_LIMIT (and \
            Emr.RESOURCE_LIMIT). Old docs spelt one SageMaker.JOB_CAPACITY_ERROR; the service \
            uses SageMaker.CAPACITY_ERROR.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [↓SageMaker.JOB_CAPACITY_ERROR], MaxAttempts: 3 } ]
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING, SageMaker.CAPACITY_ERROR], IntervalSeconds: 10, BackoffRate: 2.0, MaxAttempts: 3 } ]
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for policy in step.node["RetryPolicies"]?.elements ?? [] {
                guard let types = policy["ExceptionType"] else { continue }
                if let single = types.string {
                    findings.report("ExceptionType must be a list, e.g. [\"\(single)\"]", at: types, step: step)
                    continue
                }
                if types.elements?.isEmpty == true {
                    findings.report("ExceptionType is empty, so this policy never applies", at: types, step: step)
                }
                for entry in types.elements ?? [] {
                    guard let name = entry.string, !RetryFacts.exceptionTypes.contains(name) else { continue }
                    let hint =
                        name == "SageMaker.JOB_CAPACITY_ERROR"
                        ? "; it is spelt SageMaker.CAPACITY_ERROR"
                        : Suggestion.hint(name, in: RetryFacts.exceptionTypes)
                            ?? " (known: \(RetryFacts.exceptionTypes.joined(separator: ", ")))"
                    findings.report("unknown retry exception type '\(name)'\(hint)", at: entry, step: step)
                }
            }
        }
    }
}
