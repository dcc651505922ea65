import Foundation
import Testing

@testable import PipeOpsKit

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
}
