import PipeOpsModel

struct RetryBoundsRule: Rule {
    static let description = RuleDescription(
        id: "retry-bounds",
        title: "Retry settings are within the service's bounds",
        category: .retry,
        severity: .error,
        rationale: """
            IntervalSeconds is 0–43200, BackoffRate at least 0 (values below 1 shrink the \
            interval), MaxAttempts 0–20 and ExpireAfterMin 0–14400.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING], MaxAttempts: ↓50 } ]
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING], MaxAttempts: 20, IntervalSeconds: 43200, BackoffRate: 2.0 } ]
                Arguments: {}
            """
        ])

    static let bounds: [(key: String, range: ClosedRange<Double>)] = [
        ("IntervalSeconds", 0...43200), ("BackoffRate", 0...Double.greatestFiniteMagnitude), ("MaxAttempts", 0...20),
        ("ExpireAfterMin", 0...14400),
    ]

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for policy in step.node["RetryPolicies"]?.elements ?? [] {
                for (key, range) in Self.bounds {
                    guard let node = policy[key], let value = node.double else { continue }
                    if !range.contains(value) {
                        let upper =
                            range.upperBound == .greatestFiniteMagnitude
                            ? "no limit" : CanonicalJSON.format(range.upperBound).replacingOccurrences(of: ".0", with: "")
                        findings.report(
                            "\(key) \(node.brief) of step '\(step.name)' is out of range (\(Int(range.lowerBound)) to \(upper))", at: node,
                            step: step)
                    } else if key == "BackoffRate" && value < 1 {
                        findings.report(
                            "BackoffRate \(node.brief) is below 1, so each retry waits less than the one before", at: node, step: step,
                            severity: .warning)
                    }
                }
            }
        }
    }
}
