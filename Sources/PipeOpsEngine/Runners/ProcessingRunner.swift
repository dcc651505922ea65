import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Processing: S3 inputs staged at their LocalPath, the container entry point (or a stand-in) run,
/// outputs uploaded even when the job fails, as SageMaker does.
enum ProcessingRunner: StepRunner {
    static let sandboxFolders = ["config", "output", "processing"]

    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        let args = job.arguments
        let started = Date()
        for input in args["ProcessingInputs"]?.elements ?? [] {
            guard let s3 = input["S3Input"] else {
                throw StepFailure(
                    message: "processing input '\(input["InputName"]?.string ?? "?")' is not an S3Input; only S3 inputs run locally",
                    exceptionType: nil)
            }
            guard let uri = s3["S3Uri"]?.string, let local = s3["LocalPath"]?.string else {
                throw StepFailure(
                    message: "processing input '\(input["InputName"]?.string ?? "?")' needs S3Uri and LocalPath", exceptionType: nil)
            }
            try StepRunners.stage(uri, into: local, job: job, what: "input '\(input["InputName"]?.string ?? "?")'")
        }
        let outputs = args["ProcessingOutputConfig"]?["Outputs"]?.elements ?? []
        for output in outputs {
            guard let local = output["S3Output"]?["LocalPath"]?.string else { continue }
            do {
                try FileManager.default.createDirectory(
                    atPath: try StepRunners.hostPath(job, local, what: "output LocalPath"), withIntermediateDirectories: true)
            } catch let error as StepFailure { throw error } catch {}
        }
        try StepRunners.writeJSON(
            StepRunners.object([("current_host", .string("algo-1")), ("hosts", .array([Node(.string("algo-1"))]))]),
            to: job.sandbox.root + "/config/resourceconfig.json")
        try StepRunners.writeJSON(
            StepRunners.merge(args, [("ProcessingJobName", .string(job.jobName))]),
            to: job.sandbox.root + "/config/processingjobconfig.json")
        let app = args["AppSpecification"]
        let argv: [String]
        if let standIn = job.standIn {
            argv = standIn
        } else {
            let entry = app?["ContainerEntrypoint"]?.elements?.compactMap { Evaluator.text($0) } ?? []
            let extra = app?["ContainerArguments"]?.elements?.compactMap { Evaluator.text($0) } ?? []
            guard !entry.isEmpty else {
                throw StepFailure(
                    message:
                        "no ContainerEntrypoint: the image's own entry point cannot run locally; configure local.steps.\(job.step.name).command",
                    exceptionType: nil)
            }
            argv = entry + extra
        }
        var environment: [String: String] = [:]
        for member in args["Environment"]?.members ?? [] { environment[member.key] = Evaluator.text(member.value) }
        if job.standIn != nil { environment["PIPEOPS_CONTAINER_ARGUMENTS"] = StepRunners.argumentsJSON(app?["ContainerArguments"]) }
        let timeout = args["StoppingCondition"]?["MaxRuntimeInSeconds"]?.double
        var failure: StepFailure?
        do { _ = try StepRunners.execute(argv, job: job, environment: environment, timeout: timeout) } catch { failure = error }
        // Outputs are uploaded even when the job fails, as SageMaker does.
        for output in outputs {
            guard let local = output["S3Output"]?["LocalPath"]?.string, let uri = output["S3Output"]?["S3Uri"]?.string else { continue }
            do { try StepRunners.upload(local, to: uri, job: job) } catch { if failure == nil { failure = error } }
        }
        if let failure { throw failure }
        return StepRunners.merge(
            args,
            [
                ("ProcessingJobName", .string(job.jobName)),
                ("ProcessingJobArn", .string("arn:aws:sagemaker:local:000000000000:processing-job/\(job.jobName)")),
                ("ProcessingJobStatus", .string("Completed")),
                ("ProcessingStartTime", .string(Timestamp.string(started))),
                ("ProcessingEndTime", .string(Timestamp.string(Date()))),
            ])
    }
}
