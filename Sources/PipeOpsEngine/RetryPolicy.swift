import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

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

    /// The longest single wait: IntervalSeconds' own maximum (12 h). A large BackoffRate grows
    /// the wait geometrically (2^20 × 43200 s overflows nothing but is a month); the cap keeps
    /// one wait finite and bounded, and NaN or negative values never reach the sleep.
    static let maximumDelay: Double = 43_200

    /// The wait before attempt `attempt + 1` when a policy covers this failure, else nil.
    /// `elapsed` is the time since the first attempt started.
    func delay(after failure: StepFailure, attempt: Int, elapsed: TimeInterval) -> Double? {
        guard let type = failure.exceptionType, let rule = rules.first(where: { $0.exceptionTypes.contains(type) }) else { return nil }
        let raw = rule.interval * pow(rule.backoff, Double(max(0, attempt - 1)))
        let delay = raw.isNaN ? 0 : min(max(raw, 0), Self.maximumDelay)
        if let minutes = rule.expireAfterMinutes { return elapsed + delay <= minutes * 60 ? delay : nil }
        return attempt <= rule.maxAttempts ? delay : nil
    }
}
