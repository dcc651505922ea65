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

/// Script-mode entry points run by the interpreter the container would use, and empty
/// parameter defaults (which CreatePipeline accepts) run.
@Suite struct ScriptModeTests {
    static let definition = """
        Version: "2020-12-01"
        Parameters:
          - { Name: Note, Type: String, DefaultValue: "" }
        Steps:
          - Name: Train
            Type: Training
            Arguments:
              AlgorithmSpecification:
                TrainingImage: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
                TrainingInputMode: File
              RoleArn: "arn:aws:iam::111111111111:role/r"
              OutputDataConfig: { S3OutputPath: "s3://scripts/models" }
              ResourceConfig: { InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 30 }
              StoppingCondition: { MaxRuntimeInSeconds: 600 }
              HyperParameters:
                alpha: "0.1"
                sagemaker_program: "\\"train.sh\\""
                sagemaker_submit_directory: "\\"s3://scripts/code/sourcedir.tar.gz\\""
              Environment: { NOTE: { Get: Parameters.Note } }
        """

    /// The SDK's `_repack_script_launcher.sh` once failed with a Python SyntaxError.
    @Test func aShellEntryPointRunsWithTheShellAndAnEmptyDefaultIsAccepted() throws {
        let product = Scratch()
        product.write(
            "pipeops.yaml",
            "version: 1\npipeline: { name: scripts, definition: definition.yaml }\nlocal:\n  s3: { \"s3://scripts/code/\": code/ }\n")
        product.write("definition.yaml", Self.definition)
        // No shebang, a shell-only construct: python3 would fail on it.
        product.write(
            "source/train.sh", "set -eu\n[ \"$1\" = \"--alpha\" ] && echo \"alpha=$2 note=[${NOTE}]\" > /opt/ml/model/model.txt\n")
        try FileManager.default.createDirectory(atPath: product.path + "/code", withIntermediateDirectories: true)
        let tar = try runTool(
            ["tar", "-czf", product.path + "/code/sourcedir.tar.gz", "-C", product.path + "/source", "train.sh"], in: product.path)
        #expect(tar.status == 0)
        let run = try CLI.run(["run", "--format", "json"], in: product.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(record["status"] as? String == "Succeeded", "\(run.stdout)")
        let executions = product.path + "/.pipeops/s3/scripts/models"
        let found = FileManager.default.enumerator(atPath: executions)?.compactMap { $0 as? String }.filter { $0.hasSuffix("model.tar.gz") }
        #expect(found?.isEmpty == false, "the shell script wrote its model: \(found ?? [])")
    }

    @Test func theInterpreterFollowsTheShebangThenTheSuffix() throws {
        let scratch = Scratch()
        let env = scratch.write("a", "#!/usr/bin/env python3\nprint(1)\n")
        let bash = scratch.write("b", "#!/bin/bash -e\necho\n")
        let shell = scratch.write("c.sh", "echo\n")
        let python = scratch.write("d.py", "print(1)\n")
        #expect(StepRunners.interpreter(for: env) == ["python3"])
        #expect(StepRunners.interpreter(for: bash) == ["/bin/bash", "-e"])
        #expect(StepRunners.interpreter(for: shell) == ["/bin/sh"])
        #expect(StepRunners.interpreter(for: python) == ["python3"])
    }

    /// Stand-ins got no ContainerArguments, and their inputs were staged even when they read none.
    @Test func aStandInGetsItsContainerArgumentsAndCanSkipStaging() throws {
        let product = try SageMakerCommandTests.product()
        let dump = Scratch()
        let definition = product.path + "/pipeline/definition.yaml"
        try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "        ContainerEntrypoint: [python3, /opt/ml/processing/code/preprocess.py]\n",
            with:
                "        ContainerEntrypoint: [python3, /opt/ml/processing/code/preprocess.py]\n        ContainerArguments: [--train-ratio, \"0.8\"]\n"
        ).write(toFile: definition, atomically: true, encoding: .utf8)
        let manifest = product.path + "/pipeops.yaml"
        let base = try String(contentsOfFile: manifest, encoding: .utf8)
        func run(stageInputs: Bool) throws -> (count: Int, arguments: String) {
            try? FileManager.default.removeItem(atPath: dump.path + "/count")
            let command =
                "ls -A /opt/ml/processing/input | wc -l > \(dump.path)/count; printf %s \\\"$PIPEOPS_CONTAINER_ARGUMENTS\\\" > \(dump.path)/args; mkdir -p /opt/ml/processing/train /opt/ml/processing/test"
            let steps = "  steps:\n    Preprocess: { command: [sh, -c, \"\(command)\"]\(stageInputs ? "" : ", stageInputs: false") }\n"
            try base.replacingOccurrences(of: "release:\n", with: steps + "release:\n").write(
                toFile: manifest, atomically: true, encoding: .utf8)
            let result = try CLI.run(["run", "--env", "dev", "--to", "Preprocess", "--no-cache"], in: product.path)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let count =
                Int(try String(contentsOfFile: dump.path + "/count", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return (count, try String(contentsOfFile: dump.path + "/args", encoding: .utf8))
        }
        let staged = try run(stageInputs: true)
        #expect(staged.count > 0, "the sample data is staged by default")
        #expect(staged.arguments == #"["--train-ratio","0.8"]"#, "\(staged.arguments)")
        let skipped = try run(stageInputs: false)
        #expect(skipped.count == 0, "nothing staged with stageInputs: false")
    }
}
