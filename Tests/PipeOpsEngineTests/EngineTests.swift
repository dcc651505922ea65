import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsWorkspace

/// A scratch product for engine tests: a definition whose steps are real shell/Python processes.
final class EngineBench: @unchecked Sendable {
    let directory = TemporaryDirectory()
    var root: String { directory.path }

    func pipeline(_ yaml: String) throws -> Pipeline {
        let document = try DocumentLoader.parse(data: Data(yaml.utf8), path: "definition.yaml")
        let findings = Linter().lint(definition: document).filter { $0.severity == .error }
        if !findings.isEmpty { throw PipeOpsError.findings(findings) }
        return Pipeline(document: document)
    }

    func run(
        _ pipeline: Pipeline, environment: [String: Node] = [:], overrides: [(name: String, value: String)] = [],
        parallelism: Int = 4, cache: Bool = true, standIns: [String: [String]] = [:], outputs: [String: Node] = [:],
        mounts: [LocalS3.Mount] = [], isolation: IsolationMode = .detected
    ) throws -> ExecutionRecord {
        let parameters = try RunParameters.resolve(pipeline, environment: environment, overrides: overrides)
        let options = LocalEngine.Options(
            pipelineName: "engine-test", definitionPath: "definition.yaml", parameters: parameters,
            parallelism: parallelism, useCache: cache, productRoot: root, stateDirectory: root + "/.pipeops",
            standIns: standIns, fixedOutputs: outputs, s3Mounts: mounts, isolation: isolation)
        return try LocalEngine(pipeline: pipeline, options: options).run()
    }

    func step(_ record: ExecutionRecord, _ name: String) -> StepRecord? { record.steps.first { $0.name == name } }

    func s3(_ uri: String) throws -> String {
        String(decoding: try LocalS3(root: root + "/.pipeops/s3").read(uri), as: UTF8.self)
    }

    /// A Processing step running `script` with /bin/sh; `outputs` are OutputName: s3 URI.
    static func shellStep(_ name: String, _ script: String, outputs: [String: String] = [:], extra: String = "") -> String {
        let outputYAML = outputs.keys.sorted().map { key in
            "          - { OutputName: \(key), S3Output: { S3Uri: \"\(outputs[key]!)\", LocalPath: /opt/ml/processing/\(key), S3UploadMode: EndOfJob } }"
        }.joined(separator: "\n")
        return """
              - Name: \(name)
                Type: Processing
                Arguments:
                  ProcessingResources: { ClusterConfig: { InstanceType: ml.m5.large, InstanceCount: 1, VolumeSizeInGB: 30 } }
                  AppSpecification: { ImageUri: img, ContainerEntrypoint: [/bin/sh, -c, \(CanonicalJSON.quoted(script))] }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
            \(outputs.isEmpty ? "" : "      ProcessingOutputConfig:\n        Outputs:\n" + outputYAML)
            \(extra)
            """
    }
}

@Suite struct EngineParameterTests {
    static let definition = """
        Version: "2020-12-01"
        Parameters:
          - { Name: Size, Type: Integer, DefaultValue: 1 }
          - { Name: Mode, Type: String, DefaultValue: fast, EnumValues: [fast, thorough] }
          - { Name: Rate, Type: Float, DefaultValue: 0.5 }
          - { Name: Data, Type: String }
        Steps:
          - Name: Stop
            Type: Fail
            Arguments: { ErrorMessage: { "Std:Join": { On: ",", Values: [{ Get: Parameters.Size }, { Get: Parameters.Mode }, { Get: Parameters.Rate }, { Get: Parameters.Data }] } } }
        """

    @Test func defaultsThenEnvironmentThenOverrides() throws {
        let pipeline = try EngineBench().pipeline(Self.definition)
        let values = try RunParameters.resolve(
            pipeline, environment: ["Size": Node(.integer(4)), "Data": Node(.string("s3://b/env"))],
            overrides: [("Size", "8"), ("Mode", "thorough")])
        #expect(values["Size"]?.int == 8)
        #expect(values["Mode"]?.string == "thorough")
        #expect(values["Rate"]?.double == 0.5)
        #expect(values["Data"]?.string == "s3://b/env")
    }

    @Test func everyProblemIsReportedBeforeAnythingRuns() throws {
        let pipeline = try EngineBench().pipeline(Self.definition)
        do {
            _ = try RunParameters.resolve(pipeline, environment: [:], overrides: [("Sise", "2"), ("Rate", "fast"), ("Mode", "slow")])
            Issue.record("bad parameters were accepted")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.contains("--param Sise: unknown parameter; did you mean 'Size'?"))
            #expect(message.contains("--param Rate=fast: Float parameter needs a number"))
            #expect(message.contains("'Mode' is \"slow\", not one of its EnumValues"))
            #expect(message.contains("'Data' has no default and no value"))
        }
    }
}

@Suite struct EngineExecutionTests {
    @Test func expressionsFlowThroughPropertiesJoinAndJsonGet() throws {
        let bench = EngineBench()
        let script =
            #"mkdir -p /opt/ml/processing/report && echo '{"metrics": {"score": {"value": 0.8}}, "runs": [{"id": "r1"}]}' > /opt/ml/processing/report/report.json"#
        let measure = EngineBench.shellStep(
            "Measure", script, outputs: ["report": "s3://bucket/measure/report"],
            extra: "    PropertyFiles: [ { PropertyFileName: Report, OutputName: report, FilePath: report.json } ]")
        let yaml = """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: Float, DefaultValue: 0.5 }
            Steps:
            \(measure)
              - Name: Gate
                Type: Condition
                Arguments:
                  Conditions:
                    - Type: GreaterThan
                      LeftValue: { "Std:JsonGet": { PropertyFile: { Get: Steps.Measure.PropertyFiles.Report }, Path: metrics.score.value } }
                      RightValue: { Get: Parameters.Threshold }
                    - Type: Equals
                      LeftValue: { "Std:JsonGet": { S3Uri: { "Std:Join": { On: /, Values: [{ Get: "Steps.Measure.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri" }, report.json] } }, Path: "runs[0].id" } }
                      RightValue: r1
                  IfSteps:
                    - Name: Explain
                      Type: Fail
                      Arguments:
                        ErrorMessage: { "Std:Join": { On: " ", Values: [passed, { Get: Execution.PipelineName }, { Get: "Steps.Measure.ProcessingOutputConfig.Outputs[0].OutputName" }, { Get: Parameters.Threshold }, true] } }
                  ElseSteps: []
            """
        let record = try bench.run(try bench.pipeline(yaml))
        #expect(bench.step(record, "Gate")?.outcome == true)
        #expect(bench.step(record, "Explain")?.failureReason == "passed engine-test report 0.5 true")
        #expect(record.status == .failed)
        #expect(record.failureReason == "Step 'Explain' failed with message: passed engine-test report 0.5 true")
        let report = try bench.s3("s3://bucket/measure/report/report.json")
        #expect(report.contains("\"score\""))
    }

    @Test func strictJsonGetNamesThePathAndTheKeysThatExist() throws {
        let bench = EngineBench()
        let script = #"mkdir -p /opt/ml/processing/report && echo '{"metrics": {"mse": 1}}' > /opt/ml/processing/report/r.json"#
        let measure = EngineBench.shellStep(
            "Measure", script, outputs: ["report": "s3://bucket/m"],
            extra: "    PropertyFiles: [ { PropertyFileName: Report, OutputName: report, FilePath: r.json } ]")
        let yaml = """
            Version: "2020-12-01"
            Steps:
            \(measure)
              - Name: Gate
                Type: Condition
                Arguments:
                  Conditions: [ { Type: LessThan, LeftValue: { "Std:JsonGet": { PropertyFile: { Get: Steps.Measure.PropertyFiles.Report }, Path: metrics.rmse }, }, RightValue: 2 } ]
            """
        let record = try bench.run(try bench.pipeline(yaml))
        let reason = try #require(bench.step(record, "Gate")?.failureReason)
        #expect(reason.contains("JsonGet path 'metrics.rmse'"))
        #expect(reason.contains("s3://bucket/m/r.json"))
        #expect(reason.contains("keys there: mse"))
        #expect(record.status == .failed)
    }

    @Test func bothConditionOutcomesSkipTheOtherBranchAndItsDependents() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Parameters:
              - { Name: Go, Type: Boolean, DefaultValue: true }
            Steps:
              - Name: Choose
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: { Get: Parameters.Go }, RightValue: true } ]
                  IfSteps: [ { Name: Yes, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
                  ElseSteps: [ { Name: No, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", Arguments: {} } ]
            \(EngineBench.shellStep("AfterNo", "true", extra: "    DependsOn: [No]"))
            """
        let lambdas: [String: Node] = ["Yes": Node(object: []), "No": Node(object: [])]
        let taken = try bench.run(try bench.pipeline(yaml), outputs: lambdas)
        #expect(taken.status == .succeeded)
        #expect(bench.step(taken, "Yes")?.status == .succeeded)
        #expect(bench.step(taken, "No")?.status == .skipped)
        #expect(bench.step(taken, "AfterNo")?.status == .skipped)
        let other = try bench.run(try bench.pipeline(yaml), overrides: [("Go", "false")], outputs: lambdas)
        #expect(bench.step(other, "Choose")?.outcome == false)
        #expect(bench.step(other, "Yes")?.status == .skipped)
        #expect(bench.step(other, "No")?.status == .succeeded)
        #expect(bench.step(other, "AfterNo")?.status == .succeeded)
    }

    @Test func failedStepStopsDependentsButIndependentBranchesFinish() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
            \(EngineBench.shellStep("Broken", "echo 'disk on fire' >&2; exit 3"))
            \(EngineBench.shellStep("NeedsBroken", "true", extra: "    DependsOn: [Broken]"))
            \(EngineBench.shellStep("Independent", "sleep 0.3; touch /opt/ml/processing/done"))
            \(EngineBench.shellStep("AfterIndependent", "true", extra: "    DependsOn: [Independent]"))
            """
        let record = try bench.run(try bench.pipeline(yaml))
        #expect(record.status == .failed)
        #expect(bench.step(record, "Broken")?.status == .failed)
        #expect(bench.step(record, "Broken")?.failureReason?.contains("exited with code 3; last error line: disk on fire") == true)
        #expect(bench.step(record, "NeedsBroken")?.status == .notRun)
        #expect(bench.step(record, "Independent")?.status == .succeeded)
        #expect(bench.step(record, "AfterIndependent")?.status == .succeeded)
        let log = try #require(bench.step(record, "Broken")?.stderrLog)
        let logText = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logText.contains("disk on fire"))
    }

    @Test func failStepLetsRunningStepsFinishAndStartsNothingNew() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: stop here } }
            \(EngineBench.shellStep("Slow", "sleep 0.5"))
            \(EngineBench.shellStep("AfterSlow", "true", extra: "    DependsOn: [Slow]"))
            """
        let record = try bench.run(try bench.pipeline(yaml), parallelism: 2)
        #expect(bench.step(record, "Stop")?.failureReason == "stop here")
        #expect(bench.step(record, "Slow")?.status == .succeeded)
        #expect(bench.step(record, "AfterSlow")?.status == .notRun)
        #expect(record.status == .failed)
    }

    @Test func cacheHitsMissOnChangedParametersAndExpire() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Parameters:
              - { Name: Label, Type: String, DefaultValue: a }
            Steps:
            \(EngineBench.shellStep("Work", "echo run >> \(bench.root)/runs.log", extra: "    CacheConfig: { Enabled: true, ExpireAfter: P1D }"))
            """
            .replacingOccurrences(of: "RoleArn:", with: "Environment: { LABEL: { Get: Parameters.Label } }\n      RoleArn:")
        let pipeline = try bench.pipeline(yaml)
        let first = try bench.run(pipeline)
        let second = try bench.run(pipeline)
        #expect(bench.step(first, "Work")?.cacheHit == nil)
        #expect(bench.step(second, "Work")?.cacheHit?.sourceExecution == first.id)
        let changed = try bench.run(pipeline, overrides: [("Label", "b")])
        #expect(bench.step(changed, "Work")?.cacheHit == nil, "a different Environment value is a different cache key")
        let uncached = try bench.run(pipeline, cache: false)
        #expect(bench.step(uncached, "Work")?.cacheHit == nil)
        // Age every cache entry past ExpireAfter (P1D).
        let cacheFolder = bench.root + "/.pipeops/cache/engine-test"
        for file in try FileManager.default.contentsOfDirectory(atPath: cacheFolder) {
            let path = cacheFolder + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let old = Timestamp.string(Date().addingTimeInterval(-2 * 86400))
            let aged = text.replacingOccurrences(
                of: #""completedAt": "[^"]+""#, with: "\"completedAt\": \"\(old)\"", options: .regularExpression)
            try aged.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expired = try bench.run(pipeline)
        #expect(bench.step(expired, "Work")?.cacheHit == nil)
        let runs = try String(contentsOfFile: bench.root + "/runs.log", encoding: .utf8).split(separator: "\n").count
        #expect(runs == 4, "first, changed, --no-cache and expired runs executed the step; the cached one did not")
    }

    @Test func retryPoliciesRetryMatchingFailuresOnly() throws {
        let bench = EngineBench()
        // Each attempt has a sandbox of its own (as each SageMaker retry is a new job), so the count
        // lives in bench.root (and the script stays under the API's 256 characters per entry).
        let flaky =
            "cd \(bench.root); n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; if [ $n -lt 3 ]; then echo 'Step.THROTTLING: slow down' > /opt/ml/output/failure; exit 1; fi"
        let yaml = """
            Version: "2020-12-01"
            Steps:
            \(EngineBench.shellStep("Flaky", flaky, extra: "    RetryPolicies: [ { ExceptionType: [Step.THROTTLING], IntervalSeconds: 0, BackoffRate: 2.0, MaxAttempts: 3 } ]"))
            \(EngineBench.shellStep("Broken", "exit 1", extra: "    RetryPolicies: [ { ExceptionType: [Step.THROTTLING], IntervalSeconds: 0, MaxAttempts: 3 } ]"))
            """
        let record = try bench.run(try bench.pipeline(yaml))
        #expect(bench.step(record, "Flaky")?.status == .succeeded)
        #expect(bench.step(record, "Flaky")?.attempts == 3)
        #expect(bench.step(record, "Broken")?.attempts == 1, "SageMaker.JOB_INTERNAL_ERROR is not in the policy")
        #expect(bench.step(record, "Broken")?.status == .failed)
    }

    /// A step that waits (up to 30 s) until `count` steps have arrived, then notes how many are
    /// running: the steps can only all pass the barrier when that many run at once, so the test
    /// needs no clock. The first to note sees every arrived step still running.
    /// They meet in `$D` (`meetingPlace`): a step's own working directory is its sandbox.
    static func barrierScript(_ count: Int) -> String {
        "cd $D && mkdir -p running arrived && touch running/$$ arrived/$$ && i=0 && "
            + "while [ $(ls arrived | wc -l) -lt \(count) ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done && "
            + "ls running | wc -l >> peaks && rm running/$$ && [ $i -lt 600 ]"
    }

    /// The step field that names the barrier's folder (shellStep's `extra`).
    static func meetingPlace(_ directory: String) -> String { "      Environment: { D: \"\(directory)\" }" }

    @Test func independentStepsRunInParallel() throws {
        // Four independent steps with parallelism 4 pass a barrier for four: they ran together.
        let together = EngineBench()
        let barrier = (1...4).map { EngineBench.shellStep("Step\($0)", Self.barrierScript(4), extra: Self.meetingPlace(together.root)) }
            .joined(separator: "\n")
        let record = try together.run(try together.pipeline("Version: \"2020-12-01\"\nSteps:\n\(barrier)"), parallelism: 4, cache: false)
        #expect(record.status == .succeeded, "\(record.steps.map { "\($0.name): \($0.status) \($0.failureReason ?? "")" })")
        let peaks = try String(contentsOfFile: together.root + "/peaks", encoding: .utf8).split(separator: "\n").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        #expect(peaks.max() == 4, "peaks \(peaks)")
        // With parallelism 1 the same steps run one at a time: never two running at once.
        let serial = EngineBench()
        let alone = (1...4).map { EngineBench.shellStep("Step\($0)", Self.barrierScript(1), extra: Self.meetingPlace(serial.root)) }.joined(
            separator: "\n")
        let serialRecord = try serial.run(try serial.pipeline("Version: \"2020-12-01\"\nSteps:\n\(alone)"), parallelism: 1, cache: false)
        #expect(serialRecord.status == .succeeded)
        let serialPeaks = try String(contentsOfFile: serial.root + "/peaks", encoding: .utf8).split(separator: "\n").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        #expect(serialPeaks == [1, 1, 1, 1])
    }

    @Test(
        .enabled(
            if: IsolationMode.detected != .rewrite,
            "needs a private mount namespace (root with unshare, or a user namespace and an existing /opt/ml); rewrite mode cannot serve hard-coded /opt/ml paths"
        ))
    func scriptsThatHardCodeOptMlRunUnchanged() throws {
        let bench = EngineBench()
        bench.directory.write(
            "code/report.py",
            """
            import json, os
            with open("/opt/ml/processing/input/data/values.txt") as f:
                total = sum(int(line) for line in f if line.strip())
            os.makedirs("/opt/ml/processing/output", exist_ok=True)
            json.dump({"total": total}, open("/opt/ml/processing/output/total.json", "w"))
            """)
        bench.directory.write("data/values.txt", "1\n2\n39\n")
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: Report
                Type: Processing
                Arguments:
                  ProcessingResources: { ClusterConfig: { InstanceType: ml.m5.large, InstanceCount: 1, VolumeSizeInGB: 30 } }
                  AppSpecification: { ImageUri: img, ContainerEntrypoint: [python3, /opt/ml/processing/code/report.py] }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingInputs:
                    - { InputName: code, S3Input: { S3Uri: "s3://repo/code/report.py", LocalPath: /opt/ml/processing/code, S3DataType: S3Prefix, S3InputMode: File } }
                    - { InputName: data, S3Input: { S3Uri: "s3://repo/data/", LocalPath: /opt/ml/processing/input/data, S3DataType: S3Prefix, S3InputMode: File } }
                  ProcessingOutputConfig:
                    Outputs: [ { OutputName: out, S3Output: { S3Uri: "s3://results/report", LocalPath: /opt/ml/processing/output, S3UploadMode: EndOfJob } } ]
            """
        let record = try bench.run(try bench.pipeline(yaml), mounts: [LocalS3.Mount(prefix: "s3://repo/", directory: bench.root)])
        #expect(record.status == .succeeded, "\(record.steps.map { $0.failureReason ?? "" })")
        let total = try bench.s3("s3://results/report/total.json")
        #expect(total == "{\"total\": 42}")
    }

    @Test func rewriteModeMapsOptMlInArguments() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
            \(EngineBench.shellStep("Write", "echo hi > \"$0\"/greeting.txt", outputs: ["out": "s3://results/rewrite"]).replacingOccurrences(of: "-c, ", with: "-c, ").replacingOccurrences(of: "] }\n", with: ", /opt/ml/processing/out] }\n"))
            """
        let record = try bench.run(try bench.pipeline(yaml), isolation: .rewrite)
        #expect(record.status == .succeeded, "\(record.steps.map { $0.failureReason ?? "" })")
        let greeting = try bench.s3("s3://results/rewrite/greeting.txt")
        #expect(greeting == "hi\n")
    }

    @Test func standInsReplaceStepsThatCannotRunLocally() throws {
        let bench = EngineBench()
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: Validate
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:validate"
                OutputParameters: [ { OutputName: rows, OutputType: Integer }, { OutputName: status, OutputType: String } ]
                Arguments: { dataset: churn }
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions: [ { Type: GreaterThan, LeftValue: { Get: "Steps.Validate.OutputParameters['rows']" }, RightValue: 100 } ]
                  IfSteps: [ { Name: Approve, Type: Callback, SqsQueueUrl: "https://sqs.us-east-1.amazonaws.com/111111111111/q", OutputParameters: [ { OutputName: approved } ], Arguments: {} } ]
            """
        let pipeline = try bench.pipeline(yaml)
        #expect(LocalEngine.preflight(pipeline, standIns: [:], fixedOutputs: [:]).count == 2)
        let script =
            "import json, sys; inputs = json.load(sys.stdin); print(json.dumps({'rows': '250', 'status': inputs['dataset'] + ':ok'}))"
        let record = try bench.run(
            pipeline, standIns: ["Validate": ["python3", "-c", script]], outputs: ["Approve": Node(object: [("approved", "yes")])])
        #expect(record.status == .succeeded, "\(record.steps.map { $0.failureReason ?? "" })")
        #expect(bench.step(record, "Validate")?.properties?["OutputParameters"]?["rows"]?.int == 250)
        #expect(bench.step(record, "Validate")?.properties?["OutputParameters"]?["status"]?.string == "churn:ok")
        #expect(bench.step(record, "Approve")?.status == .succeeded)
    }

    @Test func recordsAreReadableAndKilledRunsShowAsInterrupted() throws {
        let bench = EngineBench()
        let pipeline = try bench.pipeline("Version: \"2020-12-01\"\nSteps:\n\(EngineBench.shellStep("A", "true"))")
        let record = try bench.run(pipeline)
        let store = ExecutionStore(stateDirectory: bench.root + "/.pipeops")
        let loaded = try store.load(record.id)
        #expect(loaded.status == .succeeded)
        #expect(loaded.steps.first?.properties?["ProcessingJobStatus"]?.string == "Completed")
        var stale = loaded
        stale.id = "deadbeef0001"
        stale.status = .executing
        stale.pid = 999_999
        try store.save(stale)
        #expect(try store.load("deadbeef0001").effectiveStatus == .interrupted)
        #expect(store.list().count == 2)
        // Records are written through a temporary file and a rename: none may be left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.folder(for: record.id)).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder(for: record.id)).contains("execution.json"))
    }
}

@Suite struct LocalS3Tests {
    @Test func keysThatEscapeTheirRootAreRefused() throws {
        let s3 = LocalS3(root: "/tmp/store", mounts: [LocalS3.Mount(prefix: "s3://code/", directory: "/repo/steps")])
        #expect(throws: PipeOpsError.self) { try s3.locate("s3://bucket/../../etc/passwd") }
        #expect(throws: PipeOpsError.self) { try s3.locate("s3://bucket//etc/passwd") }
        #expect(throws: PipeOpsError.self) { try s3.locate("https://example.com/x") }
        #expect(try s3.locate("s3://code/train.py") == .mount("/repo/steps/train.py", folder: "/repo/steps"))
        #expect(try s3.locate("s3://bucket/a/b") == .store("/tmp/store/bucket/a/b"))
        #expect(try s3.locate("file:///data/x.csv") == .file("/data/x.csv"))
        #expect(throws: PipeOpsError.self) { try s3.put(Data(), at: "s3://code/overwrite.py") }
    }

    /// A prefix without a trailing slash once matched mid-segment: "s3://b/code" + "s3://b/code../x"
    /// gave "../x" under the mounted folder.
    @Test func mountsMatchWholePathSegmentsOnly() throws {
        let s3 = LocalS3(root: "/tmp/store", mounts: [LocalS3.Mount(prefix: "s3://b/code", directory: "/repo/steps")])
        #expect(try s3.locate("s3://b/code/train.py") == .mount("/repo/steps/train.py", folder: "/repo/steps"))
        #expect(try s3.locate("s3://b/code") == .mount("/repo/steps", folder: "/repo/steps"))
        #expect(try s3.locate("s3://b/code../x") == .store("/tmp/store/b/code../x"))
        #expect(try s3.locate("s3://b/codex/y") == .store("/tmp/store/b/codex/y"))
    }

    /// A symbolic link in a served folder once staged /etc/passwd (as a link) into a step.
    @Test func linksOutOfAServedFolderAreRefusedAndLinksInsideAreCopiedAsFiles() throws {
        let scratch = TemporaryDirectory()
        scratch.write("repo/data/train.csv", "a,b\n")
        scratch.write("repo/data/nested/keep.txt", "inside\n")
        let data = scratch.path + "/repo/data"
        try FileManager.default.createSymbolicLink(atPath: data + "/alias.csv", withDestinationPath: data + "/train.csv")
        let s3 = LocalS3(root: scratch.path + "/store", mounts: [LocalS3.Mount(prefix: "s3://b/data/", directory: data)])

        let clean = scratch.path + "/staged"
        #expect(try s3.download("s3://b/data/", to: clean) == 3)
        let copied = try FileManager.default.attributesOfItem(atPath: clean + "/alias.csv")[.type] as? FileAttributeType
        #expect(copied == .typeRegular, "a link inside the folder arrives as the file's contents, not as a link")
        #expect(try String(contentsOfFile: clean + "/alias.csv", encoding: .utf8) == "a,b\n")

        try FileManager.default.createSymbolicLink(atPath: data + "/passwd", withDestinationPath: "/etc/passwd")
        #expect {
            try s3.download("s3://b/data/", to: scratch.path + "/staged-2")
        } throws: { error in
            (error as? PipeOpsError)?.errorDescription?.contains("passwd is a symbolic link to /etc/passwd") == true
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/staged-2/passwd"))
        #expect(throws: PipeOpsError.self) { try s3.read("s3://b/data/passwd") }
        #expect(throws: PipeOpsError.self) { try s3.download("s3://b/data/passwd", to: scratch.path + "/staged-3") }
    }
}
