enum RetryFacts {
    static let exceptionTypes = [
        "Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR",
        "SageMaker.RESOURCE_LIMIT", "Emr.RESOURCE_LIMIT",
    ]
}

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
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                RetryPolicies: [ { ExceptionType: [Step.THROTTLING, SageMaker.CAPACITY_ERROR], IntervalSeconds: 10, BackoffRate: 2.0, MaxAttempts: 3 } ]
                Arguments: {}
            """,
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
                    let hint = name == "SageMaker.JOB_CAPACITY_ERROR" ? "; it is spelt SageMaker.CAPACITY_ERROR"
                        : Suggestion.closest(to: name, in: RetryFacts.exceptionTypes).map { "; did you mean '\($0)'?" }
                        ?? " (known: \(RetryFacts.exceptionTypes.joined(separator: ", ")))"
                    findings.report("unknown retry exception type '\(name)'\(hint)", at: entry, step: step)
                }
            }
        }
    }
}

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
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for policy in step.node["RetryPolicies"]?.elements ?? [] where policy["MaxAttempts"] != nil && policy["ExpireAfterMin"] != nil {
                findings.report("retry policy of step '\(step.name)' sets both MaxAttempts and ExpireAfterMin; keep one", at: policy, step: step)
            }
        }
    }
}

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
            """,
        ],
        nonTriggering: [])

    static let bounds: [(key: String, range: ClosedRange<Double>)] = [
        ("IntervalSeconds", 0...43200), ("BackoffRate", 0...Double.greatestFiniteMagnitude), ("MaxAttempts", 0...20), ("ExpireAfterMin", 0...14400),
    ]

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            for policy in step.node["RetryPolicies"]?.elements ?? [] {
                for (key, range) in Self.bounds {
                    guard let node = policy[key], let value = node.double else { continue }
                    if !range.contains(value) {
                        let upper = range.upperBound == .greatestFiniteMagnitude ? "no limit" : CanonicalJSON.format(range.upperBound).replacingOccurrences(of: ".0", with: "")
                        findings.report("\(key) \(node.brief) of step '\(step.name)' is out of range (\(Int(range.lowerBound)) to \(upper))", at: node, step: step)
                    } else if key == "BackoffRate" && value < 1 {
                        findings.report("BackoffRate \(node.brief) is below 1, so each retry waits less than the one before", at: node, step: step, severity: .warning)
                    }
                }
            }
        }
    }
}

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
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let policies = step.node["RetryPolicies"], let type = step.type, type.isKnown, type != .forEach else { continue }
            if !type.supportsRetry {
                findings.report("\(type.rawValue) step '\(step.name)' does not retry; its RetryPolicies are ignored or rejected", at: policies, step: step)
                continue
            }
            guard type == .model || type == .registerModel else { continue }
            for policy in policies.elements ?? [] {
                for entry in policy["ExceptionType"]?.elements ?? [] where entry.string?.hasPrefix("SageMaker.") == true {
                    findings.report("\(entry.string!) does not apply to \(type.rawValue) step '\(step.name)' (it runs no job); use Step.SERVICE_FAULT or Step.THROTTLING", at: entry, step: step)
                }
            }
        }
    }
}
