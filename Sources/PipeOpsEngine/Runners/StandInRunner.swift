import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Every other step type, and Model/RegisterModel with a stand-in: the stand-in runs in the sandbox.
enum StandInRunner: StepRunner {
    /// Any other step type: its stand-in runs in the sandbox; a JSON object on stdout becomes its properties.
    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        guard let standIn = job.standIn else {
            throw StepFailure(
                message: "\(job.step.type?.rawValue ?? "this") steps do not run locally; configure local.steps.\(job.step.name).command",
                exceptionType: nil)
        }
        try StepRunners.runWithInputs(standIn, job: job, inputs: job.arguments)
        let text = (try? String(contentsOfFile: job.stdoutPath, encoding: .utf8)) ?? ""
        if let document = try? DocumentLoader.parse(data: Data(text.utf8), path: "stdout", syntax: .json), document.root.members != nil {
            return document.root
        }
        return job.arguments
    }
}
