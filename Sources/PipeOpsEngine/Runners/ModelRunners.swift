import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Model (CreateModel): recorded in the local model registry.
enum ModelRunner: StepRunner {
    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        let name = job.jobName
        let properties = StepRunners.merge(
            job.arguments,
            [
                ("ModelName", .string(name)),
                ("ModelArn", .string("arn:aws:sagemaker:local:000000000000:model/\(name)")),
                ("CreationTime", .string(Timestamp.string(Date()))),
            ])
        do { try ModelRegistry(stateDirectory: job.stateDirectory).saveModel(properties, named: name) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot record the model", exceptionType: nil)
        }
        return properties
    }
}

/// RegisterModel: a new version in the local model package group.
enum RegisterModelRunner: StepRunner {
    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        let group = job.arguments["ModelPackageGroupName"].map { Evaluator.text($0) } ?? job.step.name
        do {
            return try ModelRegistry(stateDirectory: job.stateDirectory).register(
                job.arguments, group: group, execution: job.context.executionId, step: job.step.name)
        } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot register the model", exceptionType: nil)
        }
    }
}
