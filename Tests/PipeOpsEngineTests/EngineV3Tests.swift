import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsWorkspace

/// SDK v3 constructs on the local engine, run from the definitions the SDK itself wrote
/// (Tests/Fixtures/sdk/v3), with stand-ins for the Lambda steps and real child processes.
@Suite struct EngineV3Tests {
    static func fixture(_ name: String) throws -> Pipeline {
        Pipeline(document: try DocumentLoader.load(path: TestPaths.sdkCorpus.appendingPathComponent("v3/\(name)").path))
    }

    /// The fixtures' Processing steps read their code from s3://pipeops-corpus/code/.
    static func codeMount(_ bench: EngineBench) -> [LocalS3.Mount] {
        bench.directory.write("code/prep.py", "print('prep')\n")
        bench.directory.write("code/train.py", "print('train')\n")
        bench.directory.write("code/report.py", "print('report')\n")
        return [LocalS3.Mount(prefix: "s3://pipeops-corpus/code/", directory: bench.root + "/code")]
    }

    @Test func forEachRunsTheBodyPerItemAndTheSelectorPicksTheBestIteration() throws {
        let bench = EngineBench()
        // ScoreRegion scores an item {"region", "weight"} as weight * 1.5; PublishBest keeps its inputs.
        bench.directory.write(
            "score.py",
            """
            import json, sys
            item = json.load(sys.stdin)
            with open("score.log", "a") as log: log.write(item["region"] + "\\n")
            print(json.dumps({"Score": item["weight"] * 1.5, "ModelUri": "s3://models/" + item["region"]}))
            """)
        bench.directory.write("publish.py", "import json, sys\nopen('publish.json', 'w').write(sys.stdin.read())\nprint('{}')\n")
        let record = try bench.run(
            try Self.fixture("foreach-selector.json"), parallelism: 2,
            standIns: [
                "ScoreRegion": ["python3", "score.py"], "PrepRegion": ["/bin/sh", "-c", "echo done > /opt/ml/processing/out/done"],
                "PublishBest": ["python3", "publish.py"],
            ],
            mounts: Self.codeMount(bench))
        #expect(record.status == .succeeded, "\(record.steps.map { "\($0.name): \($0.status) \($0.failureReason ?? $0.reason ?? "")" })")
        let fanOut = try #require(bench.step(record, "PerRegion"))
        #expect(fanOut.children?.map(\.name) == ["ScoreRegion-0", "ScoreRegion-1"])
        #expect(fanOut.children?.allSatisfy { $0.status == .succeeded } == true)
        #expect(fanOut.properties?["InputItemCount"]?.int == 2)
        #expect(fanOut.properties?["Selected"]?["OutputParameters"]?["ModelUri"]?.string == "s3://models/eu-west-1")
        let scored = try String(contentsOfFile: bench.root + "/score.log", encoding: .utf8).split(separator: "\n").sorted()
        #expect(scored == ["eu-west-1", "us-east-1"])
        // Downstream reads Selected, IterationOutputs[0] and the aggregates.
        let published = try DocumentLoader.parse(
            data: Data(contentsOf: URL(fileURLWithPath: bench.root + "/publish.json")), path: "p", syntax: .json
        ).root
        #expect(published["best"]?.string == "s3://models/eu-west-1")
        #expect(published["first"]?.double == 1.5)
        #expect(published["items"]?.int == 2)
        // The parameter-driven ForEach ran once per region of the JSON list, each uploading its own output.
        let prep = try #require(bench.step(record, "PrepEachRegion"))
        #expect(prep.children?.map(\.name) == ["PrepRegion-0", "PrepRegion-1"])
        #expect(try bench.s3("s3://pipeops-corpus/prep/us-east-1/done") == "done\n")
        #expect(try bench.s3("s3://pipeops-corpus/prep/eu-west-1/done") == "done\n")
        #expect(bench.step(record, "ScoreRegion")?.status == .succeeded)
    }

    @Test(arguments: [1, 2])
    func forEachRunsAtMostMaxConcurrencyIterationsAtOnce(_ limit: Int) throws {
        let bench = EngineBench()
        // Each iteration waits until `limit` iterations have arrived (a barrier, no clock), then
        // notes how many are running: at least one notes `limit`, none may note more.
        let script = EngineExecutionTests.barrierScript(limit)
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: Fan
                Type: ForEach
                Arguments:
                  IterableItems: [a, b, c, d]
                  MaxConcurrency: \(limit)
                  ForEachBody:
            \(EngineBench.shellStep("Work", script, extra: EngineExecutionTests.meetingPlace(bench.root)).split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
            """
        let record = try bench.run(try bench.pipeline(yaml), parallelism: 4)
        #expect(record.status == .succeeded, "\(record.steps.map { "\($0.name): \($0.status) \($0.failureReason ?? "")" })")
        let peaks = try String(contentsOfFile: bench.root + "/peaks", encoding: .utf8).split(separator: "\n")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(peaks.count == 4)
        #expect(peaks.max() == limit, "peaks \(peaks)")
    }

    @Test func dependsOnFailedRunsTheHandlerOnlyWhenTheStepFails() throws {
        let pipeline = try Self.fixture("step-dependency-triggers.json")
        let standIns = [
            "NotifyOnFailure": ["/bin/sh", "-c", "cat > notified.json; echo '{}'"],
            "Cleanup": ["/bin/sh", "-c", "touch cleaned; echo '{}'"],
        ]

        // TrainJob fails: the Failed handler runs and reads the failed step's status; Report needs
        // a success and does not run; the Fail step after the handler fails the execution.
        let failing = EngineBench()
        let failed = try failing.run(
            pipeline, standIns: standIns.merging(["TrainJob": ["/bin/sh", "-c", "exit 3"]]) { $1 },
            mounts: Self.codeMount(failing))
        #expect(failing.step(failed, "TrainJob")?.status == .failed)
        #expect(failing.step(failed, "NotifyOnFailure")?.status == .succeeded)
        let notified = try String(contentsOfFile: failing.root + "/notified.json", encoding: .utf8)
        #expect(notified.contains("\"status\":\"Failed\""))
        #expect(failing.step(failed, "Report")?.status == .notRun)
        #expect(failing.step(failed, "Cleanup")?.status == .skipped, "Cleanup also waits for NotifyOnFailure to be stopped")
        #expect(failing.step(failed, "Stop")?.status == .failed)
        #expect(failed.status == .failed)

        // TrainJob succeeds: the handler and what follows it are skipped, Report runs.
        let passing = EngineBench()
        let succeeded = try passing.run(
            pipeline, standIns: standIns.merging(["TrainJob": ["/bin/true"], "Report": ["/bin/true"]]) { $1 },
            mounts: Self.codeMount(passing))
        #expect(succeeded.status == .succeeded)
        #expect(passing.step(succeeded, "NotifyOnFailure")?.status == .skipped)
        #expect(passing.step(succeeded, "NotifyOnFailure")?.reason == "runs only when step 'TrainJob' fails; it succeeded")
        #expect(passing.step(succeeded, "Stop")?.status == .skipped)
        #expect(passing.step(succeeded, "Report")?.status == .succeeded)
        #expect(!FileManager.default.fileExists(atPath: passing.root + "/notified.json"))
    }

    @Test func aHandledFailureCompletesWithFailuresAndAnUnhandledOneFails() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
            \(EngineBench.shellStep("Work", "exit 1"))
            \(EngineBench.shellStep("Other", "exit 1"))
              - Name: Notify
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:notify"
                Arguments: {}
                DependsOn: [{ Step: Work, Trigger: Failed }]
            """
        let standIns = ["Notify": ["/bin/sh", "-c", "echo '{}'"]]
        let both = try bench.run(try bench.pipeline(yaml), standIns: standIns)
        #expect(both.status == .failed, "Other's failure has no handler")
        let handled = try bench.run(
            try bench.pipeline(yaml.replacingOccurrences(of: "Name: Other", with: "Name: Other\n    DependsOn: [Work]")),
            standIns: standIns)
        #expect(bench.step(handled, "Other")?.status == .notRun)
        #expect(handled.status == .completedWithFailures)
    }
}

@Suite struct StandInInputTests {
    /// A stand-in that exits without reading its input (far larger than a pipe's buffer) once
    /// killed the whole process with SIGPIPE; the input now comes from a file.
    @Test func aStandInThatIgnoresItsInputDoesNotKillTheEngine() throws {
        let bench = EngineBench()
        let blob = String(repeating: "x", count: 300_000)
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: Notify
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:notify"
                Arguments: { blob: "\(blob)" }
            """
        let record = try bench.run(try bench.pipeline(yaml), standIns: ["Notify": ["/bin/sh", "-c", "echo '{}'"]])
        #expect(record.status == .succeeded)
        let input = try #require(
            FileManager.default.contents(
                atPath: ExecutionStore(stateDirectory: bench.root + "/.pipeops").folder(for: record.id) + "/steps/Notify/stdin"))
        #expect(input.count > 300_000, "the step's input is kept beside its logs")
    }
}

@Suite struct NotANumberTests {
    /// NaN is neither below nor above a threshold; ">=" once read "not ascending" as a pass.
    @Test(arguments: ["GreaterThanOrEqualTo", "LessThanOrEqualTo", "GreaterThan", "LessThan", "Equals"])
    func nanNeverPassesAComparison(_ type: String) {
        #expect(throws: EvaluationError.self) { try Evaluator.compare(Node(.number(.nan)), Node(.number(0.5)), type) }
        #expect(throws: EvaluationError.self) { try Evaluator.compare(Node(.integer(1)), Node(.number(.infinity)), type) }
    }

    @Test func aRecordWithANonFiniteValueStillPersists() throws {
        let bench = EngineBench()
        let record = try bench.run(try bench.pipeline("Version: \"2020-12-01\"\nSteps:\n\(EngineBench.shellStep("A", "true"))"))
        var broken = record
        broken.steps[0].properties = Node(object: [("score", Node(.number(.nan)))])
        let store = ExecutionStore(stateDirectory: bench.root + "/.pipeops")
        try store.save(broken)
        #expect(try store.load(record.id).steps[0].properties?["score"]?.isNull == true)
    }

    @Test func aStandInFloatOfNanFailsTheStepClearly() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: Score
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:score"
                Arguments: {}
                OutputParameters: [{ OutputName: score, OutputType: Float }]
            """
        let record = try bench.run(try bench.pipeline(yaml), standIns: ["Score": ["/bin/sh", "-c", "echo '{\"score\": \"nan\"}'"]])
        #expect(record.status == .failed)
        #expect(bench.step(record, "Score")?.failureReason?.contains("not a Float") == true)
    }
}

@Suite struct TemporaryFolderLeakTests {
    /// Each step once left two `TemporaryDirectory.*` folders in the temporary directory
    /// (Foundation's createFile on Linux). Other suites running meanwhile may add a few.
    @Test func aRunLeavesNothingInTheTemporaryDirectory() throws {
        func count() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter {
                $0.hasPrefix("TemporaryDirectory.")
            }.count
        }
        let bench = EngineBench()
        let steps = (0..<20).map { EngineBench.shellStep("S\($0)", "true") }.joined(separator: "\n")
        let pipeline = try bench.pipeline("Version: \"2020-12-01\"\nSteps:\n\(steps)")
        let before = count()
        let record = try bench.run(pipeline)
        #expect(record.status == .succeeded)
        #expect(count() - before < 10, "a 20-step run added \(count() - before) TemporaryDirectory.* folders")
    }
}
