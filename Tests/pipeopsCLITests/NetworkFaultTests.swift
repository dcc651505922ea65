import Crypto
import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsAnalysis
@testable import PipeOpsApp
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsReporting
@testable import PipeOpsWorkspace

/// upsert, start and promote through a fault-injecting proxy in front of a real moto_server:
/// each run succeeds or fails with one clear line; afterwards the pipeline's definition and
/// tags are one commit's, no start made two executions, and no secret was printed.
@Suite struct NetworkFaultTests {
    static let environment = SageMakerCommandTests.environment.merging(["PIPEOPS_HTTP_STALL_SECONDS": "2"]) { _, new in new }

    /// The secrets of `environment`: none may appear in any output.
    static let secrets = [SageMakerCommandTests.secret, SageMakerCommandTests.token, "AKIAIOSFODNN7EXAMPLE"]

    static func expectNoSecret(_ result: CLI.Result, _ context: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for secret in secrets {
            #expect(
                !result.stdout.contains(secret) && !result.stderr.contains(secret), "\(context) printed a secret",
                sourceLocation: sourceLocation)
        }
    }

    /// The deployed pipeline is exactly one render: its definition's sha256 is its own tag.
    static func expectOneCommit(_ moto: MotoServer, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let deployed = try moto.stamp("churn-model")
        let hash = SHA256.hash(data: Data(deployed.definition.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(deployed.tags["pipeops:definition-sha256"] == hash, "definition and stamp tags differ", sourceLocation: sourceLocation)
    }

    static func upsert(_ product: Scratch, _ endpoint: String) throws -> CLI.Result {
        try CLI.run(["upsert", "--env", "dev", "--endpoint-url", endpoint], in: product.path, environment: environment)
    }

    /// AWS's signature-mismatch message holds the canonical request, session token included.
    @Test func aSignatureMismatchPrintsNoSessionToken() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "SageMaker.CreatePipeline", fault: "signature", times: 1)])
        let result = try Self.upsert(product, proxy.endpoint)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("InvalidSignatureException"), "\(result.stderr)")
        #expect(result.stderr.contains("x-amz-security-token:[redacted]"), "\(result.stderr)")
        Self.expectNoSecret(result, "upsert")
        #expect(proxy.entries().contains { $0.fault == "signature" }, "the fault was injected")
    }

    /// A lost StartPipelineExecution answer used to end without the ARN; a rerun then started
    /// a second execution. Now the execution is found by its request and adopted.
    @Test(arguments: ["reset-after", "garbage-after", "500-after", "truncate-after"])
    func aLostStartAnswerFindsTheExecutionInsteadOfStartingAnother(_ fault: String) throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        #expect(try Self.upsert(product, moto.endpoint).status == 0)
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "SageMaker.StartPipelineExecution", fault: fault, times: 1)])
        let start = try CLI.run(
            ["start", "--env", "dev", "--endpoint-url", proxy.endpoint], in: product.path, environment: Self.environment)
        #expect(start.status == 0, "\(fault): \(start.stderr)")
        #expect(start.stdout.hasPrefix("arn:aws:sagemaker:"), "\(fault): \(start.stdout)")
        #expect(try moto.executionCount("churn-model") == 1, "\(fault): one start, one execution")
        #expect(proxy.forwarded("SageMaker.StartPipelineExecution") == 1, "\(fault): the request reached moto once")
        Self.expectNoSecret(start, "start")
    }

    /// Refused before anything reaches moto (reset, 503, throttling): retried with the same token.
    @Test func aStartRefusedOnTheWayIsRetriedAndStartsOnce() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        #expect(try Self.upsert(product, moto.endpoint).status == 0)
        let proxy = try FaultProxy(
            upstream: moto,
            plan: [
                .init(target: "SageMaker.StartPipelineExecution", fault: "reset"),
                .init(target: "SageMaker.StartPipelineExecution", fault: "503"),
                .init(target: "SageMaker.StartPipelineExecution", fault: "throttle"),
            ])
        let start = try CLI.run(
            ["start", "--env", "dev", "--endpoint-url", proxy.endpoint], in: product.path, environment: Self.environment)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(try moto.executionCount("churn-model") == 1)
    }

    /// A failure between UpdatePipeline and AddTags left the new definition with the old stamp
    /// tags and named neither. Now it says so, and the next upsert repairs it.
    @Test func anUpsertFailingBeforeItsTagsSaysWhatItLeftAndTheNextOneRepairsIt() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        #expect(try Self.upsert(product, moto.endpoint).status == 0)
        try Self.expectOneCommit(moto)
        let definition = product.path + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8)
        try text.replacingOccurrences(of: "MaxRuntimeInSeconds: 3600", with: "MaxRuntimeInSeconds: 5400")
            .write(toFile: definition, atomically: true, encoding: .utf8)
        try product.git("commit", "-q", "-am", "longer training")
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "SageMaker.AddTags", fault: "503", times: 5)])
        let failed = try Self.upsert(product, proxy.endpoint)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("UpdatePipeline of churn-model succeeded, then AddTags failed"), "\(failed.stderr)")
        #expect(failed.stderr.contains("run the upsert again"), "\(failed.stderr)")
        #expect(failed.stderr.split(separator: "\n").filter { $0.contains("error:") }.count == 1, "one clear line: \(failed.stderr)")
        let repaired = try Self.upsert(product, moto.endpoint)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        try Self.expectOneCommit(moto)
        #expect(
            try moto.stamp("churn-model").tags["pipeops:git-commit"]
                == product.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Two checkouts at different commits upsert the same pipeline at once: it ends as one
    /// commit's definition with that commit's tags, never a mix.
    @Test func concurrentUpsertsFromTwoCheckoutsNeverMixTwoCommits() throws {
        let first = try SageMakerCommandTests.product()
        let second = Scratch()
        _ = try runTool(["git", "clone", "-q", first.path, second.path + "/p"], in: second.path)
        let other = second.path + "/p"
        let definition = other + "/pipeline/definition.yaml"
        try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "MaxRuntimeInSeconds: 3600", with: "MaxRuntimeInSeconds: 7200"
        ).write(toFile: definition, atomically: true, encoding: .utf8)
        _ = try runTool(
            ["git", "-C", other, "-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-q", "-am", "b"], in: other)
        for round in 0..<4 {
            // A fresh service each round: moto keeps every re-added tag, and one page lists 100.
            let moto = try MotoServer()
            try moto.createBucket("churn-model-artifacts")
            #expect(try Self.upsert(first, moto.endpoint).status == 0)
            nonisolated(unsafe) var results: [CLI.Result?] = [nil, nil]
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                results[index] = try? CLI.run(
                    ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: index == 0 ? first.path : other,
                    environment: Self.environment)
            }
            // Both succeed, or the one that finished first says the other's commit is deployed.
            for result in results {
                #expect(
                    result?.status == 0 || result?.stderr.contains("finished after this one") == true,
                    "round \(round): \(result?.stderr ?? "did not run")")
            }
            #expect(results.contains { $0?.status == 0 }, "round \(round): one of them deployed")
            try Self.expectOneCommit(moto)
        }
    }

    /// A stalled connection spun a core until a 60 s timeout; now it waits in poll(2) and ends
    /// at the stall limit with a clear message.
    @Test func aStalledConnectionEndsClearlyAndCostsNoCPU() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "*", fault: "stall", times: 100)], stall: 30)
        // The child's own CPU time, measured by a parent process (not by the test's clock).
        let measured = try runTool(
            [
                "python3", "-c",
                """
                import resource, subprocess, sys, os
                env = dict(os.environ, **\(Self.pythonDict(Self.environment)))
                p = subprocess.run(sys.argv[1:], env=env, capture_output=True, text=True, cwd=\(Self.pythonString(product.path)))
                r = resource.getrusage(resource.RUSAGE_CHILDREN)
                print(p.returncode)
                print(r.ru_utime + r.ru_stime)
                print(p.stderr)
                """,
                CLI.binary, "upsert", "--env", "dev", "--endpoint-url", proxy.endpoint,
            ], in: product.path)
        let lines = measured.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "2", "\(measured.output)")
        let cpu = Double(lines.count > 1 ? String(lines[1]) : "") ?? 99
        #expect(cpu < 2, "CPU seconds spent waiting on a stalled connection: \(cpu)")
        #expect(measured.output.contains("stalled (nothing arrived for 2 s)"), "\(measured.output)")
        #expect(measured.output.range(of: #"\(tried \d+ times\)"#, options: .regularExpression) != nil, "\(measured.output)")
    }

    /// Seeded schedules of every fault kind over upsert, start and promote --upsert.
    @Test(arguments: 1...6)
    func seededFaultSchedulesLeaveOneCommitAndNoSecondExecution(_ seed: Int) throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        let proxy = try FaultProxy(upstream: moto, seed: seed, rate: 0.3)
        var started = 0
        for command in [["upsert", "--env", "dev"], ["start", "--env", "dev"], ["upsert", "--env", "dev"], ["start", "--env", "dev"]] {
            let before = (try? moto.executionCount("churn-model")) ?? 0
            let result = try CLI.run(command + ["--endpoint-url", proxy.endpoint], in: product.path, environment: Self.environment)
            Self.expectNoSecret(result, command.joined(separator: " "))
            if result.status != 0 {
                #expect(result.status == 2, "seed \(seed) \(command): \(result.stderr)")
                let errors = result.stderr.split(separator: "\n").filter { $0.contains("error:") }
                #expect(errors.count == 1, "seed \(seed) \(command): one clear line: \(result.stderr)")
                #expect(!result.stderr.contains("NSURLErrorDomain"), "\(result.stderr)")
            }
            if command[0] == "start" {
                let after = (try? moto.executionCount("churn-model")) ?? 0
                #expect(after - before <= 1, "seed \(seed): one start, at most one execution")
                if result.status == 0 {
                    started += 1
                    #expect(after - before == 1, "seed \(seed): a start that printed an ARN started one")
                }
            }
            if command[0] == "upsert" && result.status == 0 { try Self.expectOneCommit(moto) }
        }
        #expect(proxy.entries().contains { $0.fault != nil }, "seed \(seed) injected faults")
        _ = started
    }

    /// S3's RequestTimeout (a 400) was not retried; publishing trusted HeadObject alone.
    @Test func s3RequestTimeoutsAreRetriedAndAWrongObjectAtAContentAddressIsReplaced() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        // What upsert will publish, and a wrong object planted at the first address (with the
        // right sha256 metadata: metadata alone proves nothing).
        let render = try CLI.run(["render", "--env", "dev"], in: product.path)
        let key = try #require(
            render.stdout.range(of: #"code/[0-9a-f]{64}/preprocess\.py"#, options: .regularExpression).map { String(render.stdout[$0]) })
        let sha = String(key.dropFirst("code/".count).prefix(64))
        _ = try moto.s3(
            "s3.put_object(Bucket='churn-model-artifacts', Key='\(key)', Body=b'not the script', Metadata={'sha256': '\(sha)'})")
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "S3:PUT", fault: "request-timeout", times: 2)])
        let upsert = try Self.upsert(product, proxy.endpoint)
        #expect(upsert.status == 0, "\(upsert.stderr)")
        #expect(proxy.entries().filter { $0.fault == "request-timeout" }.count == 2, "the timeouts were injected and retried")
        let stored = try moto.s3("print(s3.get_object(Bucket='churn-model-artifacts', Key='\(key)')['Body'].read().decode())")
        let local = try String(contentsOfFile: product.path + "/pipeline/steps/preprocess.py", encoding: .utf8)
        #expect(stored.trimmingCharacters(in: .newlines) == local.trimmingCharacters(in: .newlines), "the wrong object was replaced")
    }

    /// doctor --aws ignored --endpoint-url for STS and tried the public STS host.
    @Test func doctorAWSUsesTheEndpointForSTS() throws {
        let moto = try MotoServer()
        let result = try CLI.run(["doctor", "--aws", "--endpoint-url", moto.endpoint], in: "/", environment: Self.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(moto.endpoint), "\(result.stdout)")
        Self.expectNoSecret(result, "doctor --aws")
    }

    /// PIPEOPS_DEADLINE_SECONDS bounds a whole command, whatever the retries would do.
    @Test func aCommandDeadlineEndsTheRetries() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        let proxy = try FaultProxy(upstream: moto, plan: [.init(target: "*", fault: "stall", times: 100)], stall: 30)
        let result = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", proxy.endpoint], in: product.path,
            environment: Self.environment.merging(["PIPEOPS_DEADLINE_SECONDS": "4", "PIPEOPS_HTTP_STALL_SECONDS": "30"]) { _, new in new })
        #expect(result.status == 2)
        #expect(result.stderr.contains("no answer from 127.0.0.1 in") || result.stderr.contains("deadline"), "\(result.stderr)")
        #expect(proxy.entries().count <= 3, "the deadline stops the retries: \(proxy.entries().count) requests")
    }

    static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func pythonDict(_ values: [String: String]) -> String {
        "{" + values.map { "\(pythonString($0.key)): \(pythonString($0.value))" }.joined(separator: ", ") + "}"
    }
}
