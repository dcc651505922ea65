import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsWorkspace

@Suite struct ExactNumbersTests {
    /// Integers beyond Int64 (an account-scale counter, a seed) render digit for digit: a Double
    /// would turn 18446744073709551617 into 1.8446744073709552e+19 and change the hashes' meaning.
    @Test func integersBeyondInt64RenderExactlyFromJSONAndYAML() throws {
        let big = "18446744073709551617"
        let negative = "-99999999999999999999999"
        let json = try DocumentLoader.parse(data: Data("{\"a\": \(big), \"b\": \(negative), \"c\": 1.5}".utf8), path: "x.json")
        #expect(CanonicalJSON.string(json.root) == "{\"a\":\(big),\"b\":\(negative),\"c\":1.5}")
        #expect(json.root["a"]?.typeName == "integer")
        // A number no Double can hold is still refused with its position.
        #expect(throws: (any Error).self) { try DocumentLoader.parse(data: Data("{\"c\": 1e400}".utf8), path: "x.json") }
        let yaml = try DocumentLoader.parse(data: Data("a: \(big)\nb: +000\(big)\nc: 12\n".utf8), path: "x.yaml")
        #expect(CanonicalJSON.string(yaml.root) == "{\"a\":\(big),\"b\":\(big),\"c\":12}")
        #expect(yaml.root["a"]?.int == nil, "no silent truncation to Int")
        #expect(yaml.root["a"]?.double == 18_446_744_073_709_551_617.0)
    }
}

@Suite struct RetryDelayTests {
    func policy(_ fields: String) throws -> RetryPolicy {
        let text = """
            {"Version": "2020-12-01", "Steps": [{"Name": "T", "Type": "Training", "Arguments": {},
              "RetryPolicies": [{"ExceptionType": ["Step.THROTTLING"], \(fields)}]}]}
            """
        let pipeline = Pipeline(document: try DocumentLoader.parse(data: Data(text.utf8), path: "d.json"))
        return RetryPolicy(step: pipeline.steps[0])
    }

    @Test func aHugeBackoffRateWaitsAtMostTwelveHoursAndNeverForever() throws {
        let failure = StepFailure(message: "throttled", exceptionType: "Step.THROTTLING")
        let huge = try policy(#""IntervalSeconds": 43200, "BackoffRate": 1e300, "MaxAttempts": 20"#)
        for attempt in 1...20 {
            let delay = try #require(huge.delay(after: failure, attempt: attempt, elapsed: 0))
            #expect(delay.isFinite && delay >= 0 && delay <= RetryPolicy.maximumDelay, "attempt \(attempt): \(delay)")
        }
        #expect(huge.delay(after: failure, attempt: 21, elapsed: 0) == nil, "MaxAttempts still bounds the retries")
        let normal = try policy(#""IntervalSeconds": 5, "BackoffRate": 2.0, "MaxAttempts": 3"#)
        #expect(normal.delay(after: failure, attempt: 1, elapsed: 0) == 5)
        #expect(normal.delay(after: failure, attempt: 3, elapsed: 0) == 20)
        let negative = try policy(#""IntervalSeconds": 5, "BackoffRate": -3, "MaxAttempts": 3"#)
        #expect(negative.delay(after: failure, attempt: 2, elapsed: 0) == 0, "a negative wait is no wait")
    }
}
