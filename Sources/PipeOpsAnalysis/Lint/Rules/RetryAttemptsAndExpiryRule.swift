import PipeOpsModel

struct RetryAttemptsAndExpiryRule: Rule {
    static let description = RuleDescription(
        id: "retry-attempts-and-expiry",
        title: "A retry policy has MaxAttempts or ExpireAfterMin, not both",
        category: .retry,
        severity: .error,
        rationale: """
            The service rejects a retry policy that sets both MaxAttempts and ExpireAfterMin. \
            The SDK means to check this but its check never fires, so such definitions reach \
            CreatePipeline.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ ↓{ ExceptionType: [Step.THROTTLING], MaxAttempts: 3, ExpireAfterMin: 60 } ]
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING], MaxAttempts: 3 }, { ExceptionType: [SageMaker.CAPACITY_ERROR], ExpireAfterMin: 60 } ]
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for policy in step.node["RetryPolicies"]?.elements ?? [] where policy["MaxAttempts"] != nil && policy["ExpireAfterMin"] != nil {
                findings.report(
                    "retry policy of step '\(step.name)' sets both MaxAttempts and ExpireAfterMin; keep one", at: policy, step: step)
            }
        }
    }
}
