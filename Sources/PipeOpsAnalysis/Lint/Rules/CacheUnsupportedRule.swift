import PipeOpsModel

struct CacheUnsupportedRule: Rule {
    static let description = RuleDescription(
        id: "cache-unsupported",
        title: "CacheConfig is on a step type that caches",
        category: .caching,
        severity: .warning,
        rationale: """
            Only Processing, Training, Tuning, AutoML, Transform, ClarifyCheck, QualityCheck, EMR \
            (and, per the SDK, Lambda, Callback, EndpointConfig and Endpoint) steps can be served \
            from cache. CacheConfig on a Condition, Fail, Model or RegisterModel step does nothing.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Register
                Type: RegisterModel
                CacheConfig: ↓{ Enabled: true, ExpireAfter: P1D }
                Arguments: {}
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                CacheConfig: { Enabled: true, ExpireAfter: P1D }
                Arguments: {}
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], let type = step.type, type.isKnown, type != .forEach, !type.supportsCaching else {
                continue
            }
            findings.report("\(type.rawValue) step '\(step.name)' cannot be cached; remove its CacheConfig", at: cache, step: step)
        }
    }
}
