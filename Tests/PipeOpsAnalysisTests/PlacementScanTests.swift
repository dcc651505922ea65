import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis

/// The environment-leak rule reads the account and region of ARNs and ECR images with a
/// hand-written scan; these are the regular expressions it replaced, and the scan must find
/// what they find on every string.
struct PlacementScanTests {
    static let arn = try! NSRegularExpression(pattern: #"arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):([0-9]{12}):"#)
    static let ecr = try! NSRegularExpression(pattern: #"([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com"#)

    static func expected(_ text: String) -> (account: String, region: String?)? {
        let range = NSRange(text.startIndex..., in: text)
        if let match = arn.firstMatch(in: text, range: range), let account = Range(match.range(at: 2), in: text),
            let region = Range(match.range(at: 1), in: text)
        {
            return (String(text[account]), text[region].isEmpty ? nil : String(text[region]))
        }
        if let match = ecr.firstMatch(in: text, range: range), let account = Range(match.range(at: 1), in: text),
            let region = Range(match.range(at: 2), in: text)
        {
            return (String(text[account]), String(text[region]))
        }
        return nil
    }

    static func same(_ text: String) -> Bool {
        let scanned = EnvironmentLeakRule.placement(text)
        let matched = expected(text)
        return scanned?.account == matched?.account && scanned?.region == matched?.region && (scanned == nil) == (matched == nil)
    }

    @Test func findsWhatTheExpressionsFind() {
        for text in [
            "arn:aws:iam::111111111111:role/pipeline-dev", "arn:aws-cn:s3:cn-north-1:222222222222:x",
            "arn:aws-us-gov:sagemaker:us-gov-west-1:333333333333:pipeline/p",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/image:tag", "x1234567890123.dkr.ecr.us-east-1.amazonaws.com",
            "arn:aws:iam::12345678901:role/short", "arn:aws:iam::1234567890123:role/long", "arn:awsX:iam::111111111111:",
            "arn:aws:iam:111111111111:", "arn:aws::::111111111111:", "prefix arn:aws:iam::444444444444:role/x suffix",
            "arn:aws:iam::bad arn:aws:iam::555555555555:", "123456789012.dkr.ecr..amazonaws.com",
            "arn:aws:iam::ööö arn:aws:s3:eu-central-1:666666666666:bucket", "", "arn:aws", "123456789012",
        ] {
            #expect(Self.same(text), "\(text)")
        }
        #expect(EnvironmentLeakRule.placement("arn:aws:iam::111111111111:role/r")?.account == "111111111111")
        #expect(EnvironmentLeakRule.placement("111111111111.dkr.ecr.us-west-2.amazonaws.com/i")?.region == "us-west-2")
    }

    /// ARNs and ECR hosts built part by part from valid and invalid choices, with noise around
    /// them and a byte changed now and then (a fixed seed, so a failure names its string every
    /// time).
    @Test func agreesOnGeneratedStrings() {
        var generator = SeededGenerator(seed: 0x2545_F491_4F6C_DD1D)
        func next(_ bound: Int) -> Int { generator.below(bound) }
        // The first choice (a valid part) two times in three, else any.
        func pick(_ choices: [String]) -> String { next(3) < 2 ? choices[0] : choices[next(choices.count)] }
        let accounts = ["111111111111", "22222222222", "3333333333333", "44444444444x", ""]
        let noise = ["", " ", "x", "arn:aws:", "ö", "9", "/path", ":", "."]
        var matches = 0
        for _ in 0..<20_000 {
            var text: String
            if next(2) == 0 {
                text = pick(["arn:aws", "arn:aws-cn", "arn:aws-us-gov", "arn:awsX", "arn:aw", "ARN:aws"]) + pick([":", "", "::"])
                text += pick(["iam", "s3", "sagemaker", "", "S3", "a-1"]) + pick([":", "", "/"])
                text += pick(["", "us-east-1", "eu-central-1", "US-EAST-1", "a_b"]) + pick([":", "", "::"])
                text += pick(accounts) + pick([":", "", "/"]) + pick(["role/x", "", "pipeline/p"])
            } else {
                text = pick(accounts) + pick([".dkr.ecr.", ".dkr.ecr", ".dkr-ecr.", "."])
                text += pick(["us-east-1", "eu-west-2", "", "US", "a.b"]) + pick([".amazonaws.com", ".amazonaws", ".amazonaws.com.cn"])
                text += pick(["", "/image:tag", "/x"])
            }
            text = pick(noise) + text + pick(noise)
            if next(4) == 0, !text.isEmpty {
                var bytes = Array(text.utf8)
                bytes[next(bytes.count)] = UInt8(ascii: pick([":", ".", "a", "1", "-"]).unicodeScalars.first!)
                text = String(decoding: bytes, as: UTF8.self)
            }
            #expect(Self.same(text), "\(text)")
            if Self.expected(text) != nil { matches += 1 }
        }
        // Both patterns, matched and not, often enough to mean something.
        #expect(matches > 1_000 && matches < 19_000, "\(matches)")
    }
}
