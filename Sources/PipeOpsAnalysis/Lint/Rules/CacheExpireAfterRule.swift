import PipeOpsModel

struct CacheExpireAfterRule: Rule {
    static let description = RuleDescription(
        id: "cache-expire-after",
        title: "ExpireAfter is a duration the service accepts",
        category: .caching,
        severity: .error,
        rationale: """
            ExpireAfter is an ISO 8601 duration. The service accepts the documented forms \
            P30D, PT12H, P4DT12H, T12H, p30d, 30d, 5y, T16m and 30dT5h; anything else is rejected.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                CacheConfig: { Enabled: true, ExpireAfter: ↓30 days }
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: A, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: PT12H }, Arguments: {} }
              - { Name: B, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: 30d }, Arguments: {} }
              - { Name: C, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: T12H }, Arguments: {} }
              - { Name: D, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: p30d }, Arguments: {} }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], cache["Enabled"]?.bool != false, let node = cache["ExpireAfter"],
                let text = node.string
            else { continue }
            if !CacheDuration.isValid(text) {
                findings.report(
                    "ExpireAfter \"\(text)\" of step '\(step.name)' is not a duration; write an ISO 8601 duration such as \"P30D\" (30 days) or \"PT12H\" (12 hours)",
                    at: node, step: step)
            }
        }
    }
}
