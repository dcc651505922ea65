/// ISO-8601-like durations as the caching docs show them: `P30D`, `PT1H`, `P4DT12H`, `T12H`,
/// `p30d`, `30d`, `5y`, `T16m`, `30dT5h`. Case-insensitive, optional leading P, at least one part.
enum CacheDuration {
    static func isValid(_ text: String) -> Bool {
        var chars = Substring(text.uppercased())
        if chars.hasPrefix("P") { chars = chars.dropFirst() }
        var parts = 0
        func units(_ allowed: Set<Character>) -> Bool {
            while let first = chars.first, first.isASCII, first.isNumber {
                while let c = chars.first, c.isASCII, c.isNumber { chars = chars.dropFirst() }
                guard let unit = chars.first, allowed.contains(unit) else { return false }
                chars = chars.dropFirst()
                parts += 1
            }
            return true
        }
        guard units(["Y", "M", "W", "D"]) else { return false }
        if chars.first == "T" {
            chars = chars.dropFirst()
            let before = parts
            guard units(["H", "M", "S"]), parts > before else { return false }
        }
        return chars.isEmpty && parts > 0
    }
}

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
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                CacheConfig: { Enabled: true, ExpireAfter: P30D }
                Arguments: {}
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], cache["Enabled"]?.bool == true, cache["ExpireAfter"] == nil else { continue }
            findings.report("step '\(step.name)' caches results with no ExpireAfter, so a cached result is reused forever; add ExpireAfter such as \"P30D\"",
                            at: cache, step: step)
        }
    }
}

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
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: A, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: PT12H }, Arguments: {} }
              - { Name: B, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: 30d }, Arguments: {} }
              - { Name: C, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: T12H }, Arguments: {} }
              - { Name: D, Type: Training, CacheConfig: { Enabled: true, ExpireAfter: p30d }, Arguments: {} }
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], cache["Enabled"]?.bool != false, let node = cache["ExpireAfter"],
                  let text = node.string else { continue }
            if !CacheDuration.isValid(text) {
                findings.report("ExpireAfter \"\(text)\" of step '\(step.name)' is not a duration; write an ISO 8601 duration such as \"P30D\" (30 days) or \"PT12H\" (12 hours)",
                                at: node, step: step)
            }
        }
    }
}

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
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let cache = step.node["CacheConfig"], let type = step.type, type.isKnown, type != .forEach, !type.supportsCaching else { continue }
            findings.report("\(type.rawValue) step '\(step.name)' cannot be cached; remove its CacheConfig", at: cache, step: step)
        }
    }
}
