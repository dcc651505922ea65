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

/// The SageMaker API model pipeops checks against: current with the SDKs users have, and what
/// it does not know is a warning, never an error.
@Suite struct APIModelTests {
    /// The interpreters whose botocore the embedded model must not be older than: the SDK venvs
    /// the tests compile with and the test peers (scripts/install-deps.sh makes all three).
    static let venvs: [String] = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["PIPEOPS_CACHE"] ?? NSHomeDirectory() + "/.cache/pipeops"
        return [
            environment["PIPEOPS_SDK_V2"] ?? cache + "/venvs/sdk-v2", environment["PIPEOPS_SDK_V3"] ?? cache + "/venvs/sdk-v3",
            environment["PIPEOPS_PEERS"] ?? cache + "/venvs/test-peers",
        ]
    }()

    static func botocore(of venv: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: venv + "/bin/python3")
        process.arguments = ["-c", "import botocore; print(botocore.__version__)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func embeddedModelIsNotOlderThanTheBotocoreOfTheTestVenvs() throws {
        let embedded = ServiceShapes.shared.botocoreVersion
        for venv in Self.venvs {
            let version = try Self.botocore(of: venv)
            #expect(!version.isEmpty, "\(venv) has no botocore: run scripts/install-deps.sh")
            #expect(
                !ServiceShapes.isNewer(version, than: embedded),
                "\(venv) has botocore \(version), newer than the embedded model (\(embedded)): raise scripts/api-model.txt and run scripts/update-api-model.sh"
            )
        }
    }

    @Test func embeddedModelIsThePinnedBotocoreAndTheCurrentGenerator() throws {
        let pin = try String(contentsOf: TestPaths.repository.appendingPathComponent("scripts/api-model.txt"), encoding: .utf8)
        #expect(pin.contains("botocore==\(ServiceShapes.shared.botocoreVersion)\n"))
        let script = try String(contentsOf: TestPaths.repository.appendingPathComponent("scripts/gen-shapes.py"), encoding: .utf8)
        #expect(
            ServiceShapesData.generator == script.trimmingCharacters(in: .newlines),
            "the embedded generator differs from scripts/gen-shapes.py: run scripts/update-api-model.sh")
    }

    @Test func versionsCompareNumerically() {
        #expect(ServiceShapes.isNewer("1.44.10", than: "1.44.8"))
        #expect(!ServiceShapes.isNewer("1.44.8", than: "1.44.8"))
        #expect(!ServiceShapes.isNewer("1.43.127", than: "1.44.0"))
        #expect(ServiceShapes.isNewer("2.0", than: "1.99.99"))
    }

    @Test func modelKnowsEveryStepTypeOfThePipelineStepMetadata() {
        let model = ServiceShapes.shared
        for type in ["Job", "Cleanup", "Processing", "Training", "ForEach", "Lineage", "Athena"] {
            #expect(model.stepTypes.contains(type), "\(type)")
        }
        // Every step type pipeops checks is one the service lists.
        for type in StepType.known { #expect(model.stepTypes.contains(type.rawValue), "\(type)") }
    }

    @Test func instancePreferencesNeedNoInstanceTypeOrCount() {
        let findings = lintDefinition(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  AppSpecification: { ImageUri: "111111111111.dkr.ecr.us-east-1.amazonaws.com/p@sha256:0d5b2f8a3c4e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a" }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingResources:
                    ClusterConfig:
                      VolumeSizeInGB: 30
                      InstancePreferences: [ { InstanceType: ml.m5.xlarge, InstanceCount: 1 }, { InstanceType: ml.m5.2xlarge, InstanceCount: 1 } ]
            """)
        #expect(findings.isEmpty, "\(findings.map(\.message))")
    }

    @Test func aMemberTheModelDoesNotKnowIsAWarningAndSoftensWhatItMayReplace() {
        let findings = lintDefinition(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  AlgorithmSpecification: { TrainingInputMode: File, TrainingImage: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  OutputDataConfig: { S3OutputPath: "s3://b/out" }
                  StoppingCondition: { MaxRuntimeInSeconds: 3600 }
                  ResourceConfig: { VolumeSizeInGB: 30, FutureCapacity: { Pool: flex } }
                  ModelArtifactsConfig: { Mode: Fast }
            """)
        #expect(findings.filter { $0.severity == .error }.isEmpty, "\(findings.map(\.message))")
        let unknown = findings.filter {
            $0.message.contains("'FutureCapacity' is not a member") || $0.message.contains("'ModelArtifactsConfig'")
        }
        #expect(unknown.count == 2)
        #expect(unknown.allSatisfy { $0.severity == .warning && $0.message.contains("botocore \(ServiceShapes.shared.botocoreVersion)") })
    }

    @Test func anUnknownStepTypeIsOneWarningNamingTheModel() {
        let findings = lintDefinition(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Quantum
                Type: QuantumAnnealing
                Arguments: { Qubits: 8 }
            """)
        #expect(findings.count == 1)
        #expect(findings.first?.rule == "unknown-step-type")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message.contains("as of botocore \(ServiceShapes.shared.botocoreVersion)") == true)
        #expect(findings.first?.location.line == 4)
    }

    @Test func aStepTypeTheServiceKnowsButPipeopsDoesNotCheckIsAnInfo() {
        let findings = lintDefinition(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Query
                Type: Athena
                Arguments: { QueryString: "select 1" }
            """)
        #expect(findings.map(\.severity) == [.info])
        #expect(findings.first?.message.contains("does not check") == true)
    }

    @Test func anAPIModelFileChangesWhatIsKnown() throws {
        let scratch = TemporaryDirectory()
        // The embedded model with one more step type, as a newer botocore might list it.
        var text = ServiceShapesData.json.replacingOccurrences(of: "\"stepTypes\":[", with: "\"stepTypes\":[\"QuantumAnnealing\",")
        text = text.replacingOccurrences(of: "\"botocore\":\"\(ServiceShapes.shared.botocoreVersion)\"", with: "\"botocore\":\"9.0.0\"")
        let model = scratch.write("model.json", text)
        let definition = scratch.write(
            "definition.yaml",
            """
            Version: "2020-12-01"
            Steps:
              - Name: Quantum
                Type: QuantumAnnealing
                Arguments: {}
            """)
        let report = try LintSession.run(LintRequest(files: [definition], workingDirectory: scratch.path, apiModel: "model.json"))
        #expect(report.findings.map(\.severity) == [.info], "\(report.findings.map(\.message))")
        #expect(report.apiModel.botocoreVersion == "9.0.0")
        #expect(report.apiModel.source.hasSuffix("model.json"))
        #expect(LintReporter.render(report, as: .json, options: ReportOptions()).contains("\"botocore\": \"9.0.0\""))

        scratch.write("broken.json", "{\"shapes\": 1}")
        #expect(throws: PipeOpsError.self) {
            try LintSession.run(LintRequest(files: [definition], workingDirectory: scratch.path, apiModel: "broken.json"))
        }
    }

    // MARK: The four defects of the issue: errors at the offending value, naming it

    @Test func aRelativeProcessingLocalPathIsAnErrorAtThePath() throws {
        let (text, markers) = extractMarkers(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Prep
                Type: Processing
                Arguments:
                  AppSpecification: { ImageUri: img }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                  ProcessingInputs:
                    - InputName: input
                      S3Input: { S3Uri: "s3://b/in", LocalPath: ↓"pipeline_1/input", S3DataType: S3Prefix, S3InputMode: File }
            """)
        let errors = lintDefinition(text).filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map(\.message))")
        #expect(errors.first?.location == markers.first)
        #expect(errors.first?.message.contains("\"pipeline_1/input\"") == true)
        #expect(errors.first?.message.contains("/opt/ml/processing/pipeline_1/input") == true)
    }

    @Test func operandsThatCanNeverCompareAreErrorsAtTheOperand() throws {
        let (text, markers) = extractMarkers(
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Threshold, Type: String, DefaultValue: "0.7" }
              - { Name: Deploy, Type: Boolean, DefaultValue: false }
            Steps:
              - Name: Score
                Type: Callback
                SqsQueueUrl: "https://sqs.us-east-1.amazonaws.com/111111111111/q"
                OutputParameters: [ { OutputName: accuracy, OutputType: Float } ]
                Arguments: {}
              - Name: Check
                Type: Condition
                Arguments:
                  Conditions:
                    - Type: GreaterThanOrEqualTo
                      LeftValue: { Get: "Steps.Score.OutputParameters['accuracy']" }
                      RightValue: ↓{ Get: Parameters.Threshold }
                    - Type: Equals
                      LeftValue: { Get: Parameters.Deploy }
                      RightValue: ↓"yes"
                  IfSteps: []
                  ElseSteps: []
            """)
        let errors = lintDefinition(text).filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["condition-operands", "condition-operands"], "\(errors.map(\.message))")
        #expect(errors.map(\.location) == markers)
        #expect(errors.first?.message.contains("a float") == true)
        #expect(errors.first?.message.contains("a string") == true)
        #expect(errors.last?.message.contains("a boolean") == true)
    }

    @Test func aPropertyFileOfTheOtherBranchIsAnErrorOnTheJsonGet() throws {
        let (text, markers) = extractMarkers(
            """
            Version: "2020-12-01"
            Steps:
              - Name: Gate
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps:
                    - Name: Evaluate
                      Type: Processing
                      Arguments:
                        AppSpecification: { ImageUri: img }
                        RoleArn: "arn:aws:iam::111111111111:role/r"
                        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 30 } }
                        ProcessingOutputConfig:
                          Outputs: [ { OutputName: report, S3Output: { S3Uri: "s3://b/r", LocalPath: /opt/ml/processing/report, S3UploadMode: EndOfJob } } ]
                      PropertyFiles: [ { PropertyFileName: Report, OutputName: report, FilePath: report.json } ]
                  ElseSteps:
                    - Name: Stop
                      Type: Fail
                      Arguments:
                        ErrorMessage:
                          Std:Join:
                            On: " "
                            Values:
                              - Std:JsonGet: { PropertyFile: { Get: ↓Steps.Evaluate.PropertyFiles.Report }, Path: metrics.accuracy }
            """)
        let errors = lintDefinition(text).filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map { "\($0.location) \($0.message)" })")
        #expect(errors.first?.location == markers.first)
        #expect(errors.first?.message.contains("property file 'Report' of step 'Evaluate'") == true)
        #expect(errors.first?.message.contains("IfSteps of Condition 'Gate'") == true)
    }

    // MARK: Single-defect mutations of real SDK output

    static func mutated(_ fixture: String, replacing old: String, with new: String) throws -> [Finding] {
        let text = try String(contentsOf: TestPaths.sdkCorpus.appendingPathComponent(fixture), encoding: .utf8)
        #expect(text.components(separatedBy: old).count == 2, "the mutation applies once in \(fixture)")
        return lintDefinition(text.replacingOccurrences(of: old, with: new), path: fixture)
    }

    @Test func aBooleanParameterComparedWithYesInSDKOutputIsOneError() throws {
        let findings = try Self.mutated(
            "v2/conditions-every-type-nested.json", replacing: #"{"Get": "Parameters.Strict"}, "RightValue": true"#,
            with: #"{"Get": "Parameters.Strict"}, "RightValue": "yes""#)
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["condition-operands"], "\(errors.map(\.message))")
    }

    @Test func aRelativeLocalPathInSDKOutputIsOneError() throws {
        let findings = try Self.mutated(
            "v2/training-estimators.json", replacing: #""LocalPath": "/opt/ml/processing/input/code""#,
            with: #""LocalPath": "input/code""#)
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["arguments-shape"], "\(errors.map(\.message))")
        #expect(errors.first?.message.contains("/opt/ml/processing/") == true)
    }
}
