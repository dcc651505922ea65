import Foundation

/// A step's `RetryPolicies`, read once: which failures are retried, and after how long.
///
/// Service semantics (AWS retry-policy doc): a policy covers the exception types it lists;
/// IntervalSeconds (default 1) grows by BackoffRate (default 2) per attempt; MaxAttempts
/// (default 5) or ExpireAfterMin bounds the retries.
struct RetryPolicy: Sendable {
    struct Rule: Sendable {
        var exceptionTypes: Set<String>
        var interval: Double
        var backoff: Double
        var maxAttempts: Int
        var expireAfterMinutes: Double?
    }

    let rules: [Rule]

    init(step: Step) {
        rules = (step.node["RetryPolicies"]?.elements ?? []).map { policy in
            Rule(
                exceptionTypes: Set(policy["ExceptionType"]?.elements?.compactMap(\.string) ?? []),
                interval: policy["IntervalSeconds"]?.double ?? 1, backoff: policy["BackoffRate"]?.double ?? 2,
                maxAttempts: policy["MaxAttempts"]?.int ?? 5, expireAfterMinutes: policy["ExpireAfterMin"]?.double)
        }
    }

    /// The wait before attempt `attempt + 1` when a policy covers this failure, else nil.
    /// `elapsed` is the time since the first attempt started.
    func delay(after failure: StepFailure, attempt: Int, elapsed: TimeInterval) -> Double? {
        guard let type = failure.exceptionType, let rule = rules.first(where: { $0.exceptionTypes.contains(type) }) else { return nil }
        let delay = rule.interval * pow(rule.backoff, Double(attempt - 1))
        if let minutes = rule.expireAfterMinutes { return elapsed + delay <= minutes * 60 ? delay : nil }
        return attempt <= rule.maxAttempts ? delay : nil
    }
}
