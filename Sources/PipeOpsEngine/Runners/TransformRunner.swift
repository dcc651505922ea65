import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Transform: the input staged, a stand-in run with the model unpacked at /opt/ml/model.
enum TransformRunner: StepRunner {
    static let sandboxFolders = ["model", "output", "transform"]

    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        guard let standIn = job.standIn else {
            throw StepFailure(
                message: "Transform needs a serving container; configure local.steps.\(job.step.name).command", exceptionType: nil)
        }
        let args = job.arguments
        guard let input = args["TransformInput"]?["DataSource"]?["S3DataSource"]?["S3Uri"]?.string,
            let output = args["TransformOutput"]?["S3OutputPath"]?.string
        else {
            throw StepFailure(
                message: "Transform needs TransformInput.DataSource.S3DataSource.S3Uri and TransformOutput.S3OutputPath", exceptionType: nil
            )
        }
        try StepRunners.stage(input, into: "/opt/ml/transform/input", job: job, what: "transform input")
        try? FileManager.default.createDirectory(atPath: job.sandbox.root + "/transform/output", withIntermediateDirectories: true)
        let modelName = args["ModelName"].map { Evaluator.text($0) } ?? ""
        var environment = [
            "TRANSFORM_INPUT_DIR": "/opt/ml/transform/input", "TRANSFORM_OUTPUT_DIR": "/opt/ml/transform/output", "MODEL_NAME": modelName,
        ]
        if let model = ModelRegistry(stateDirectory: job.stateDirectory).model(named: modelName),
            let data = model["PrimaryContainer"]?["ModelDataUrl"]?.string
        {
            environment["MODEL_DATA_URL"] = data
            if let archive = try? job.context.s3.read(data) {
                let local = job.logDirectory + "/model.tar.gz"
                PlainFile.create(local, contents: archive)
                _ = ProcessRunner.succeeds(["/usr/bin/tar", "-xzf", local, "-C", job.sandbox.root + "/model"])
            }
        }
        _ = try StepRunners.execute(standIn, job: job, environment: environment)
        try StepRunners.upload("/opt/ml/transform/output", to: output, job: job)
        return StepRunners.merge(
            args,
            [
                ("TransformJobName", .string(job.jobName)),
                ("TransformJobArn", .string("arn:aws:sagemaker:local:000000000000:transform-job/\(job.jobName)")),
                ("TransformJobStatus", .string("Completed")),
            ])
    }
}
