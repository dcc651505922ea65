import PipeOpsModel

struct CacheWithoutExpiryRule: Rule {
    static let description = RuleDescription(
        id: "cache-without-expiry",
        title: "Caching has an ExpireAfter",
        category: .caching,
        severity: .warning,
        rationale: """
            With CacheConfig.Enabled and no ExpireAfter, a cached result is reused forever: the \
            step never runs again for the same arguments, even when the data behind its S3 URIs \
            changed (object contents are not part of the cache key). Give it a window, e.g. P30D.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                CacheConfig: ↓{ Enabled: true }
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                CacheConfig: { Enabled: true, ExpireAfter: P30D }
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], cache["Enabled"]?.bool == true, cache["ExpireAfter"] == nil else { continue }
            findings.report(
                "step '\(step.name)' caches results with no ExpireAfter, so a cached result is reused forever; add ExpireAfter such as \"P30D\"",
                at: cache, step: step)
        }
    }
}
