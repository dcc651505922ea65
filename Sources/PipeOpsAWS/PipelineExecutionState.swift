import Foundation
import PipeOpsModel

/// A pipeline execution as DescribePipelineExecution and ListPipelineExecutionSteps tell it.
public struct PipelineExecutionState: Sendable {
    public var status: String
    public var failureReason: String?
    public var steps: [(name: String, status: String, failureReason: String?)]
    public var stepsUnavailable: String?
    public var isTerminal: Bool { ["Succeeded", "Failed", "Stopped"].contains(status) }
}

extension SageMakerClient {

    /// The execution's status and, when `withSteps`, its steps. A service that cannot list steps
    /// (moto, for one) yields `stepsUnavailable` instead of failing the whole wait.
    public func describeExecution(_ arn: String, withSteps: Bool = true) throws(SageMakerClient.CallError)
        -> PipelineExecutionState
    {
        let execution = try call("DescribePipelineExecution", Node(.object([member("PipelineExecutionArn", .string(arn))])))
        var steps: [(String, String, String?)] = []
        var token: String?
        var stepsUnavailable: String?
        if withSteps {
            repeat {
                var body: [Node.Member] = [
                    member("PipelineExecutionArn", .string(arn)), member("MaxResults", .integer(100)),
                    member("SortOrder", .string("Ascending")),
                ]
                if let token { body.append(member("NextToken", .string(token))) }
                let page: Node
                do { page = try call("ListPipelineExecutionSteps", Node(.object(body))) } catch {
                    stepsUnavailable = error.description
                    break
                }
                for step in page["PipelineExecutionSteps"]?.elements ?? [] {
                    steps.append((step["StepName"]?.string ?? "?", step["StepStatus"]?.string ?? "?", step["FailureReason"]?.string))
                }
                token = page["NextToken"]?.string
            } while token != nil
        }
        return PipelineExecutionState(
            status: execution["PipelineExecutionStatus"]?.string ?? "Unknown", failureReason: execution["FailureReason"]?.string,
            steps: steps, stepsUnavailable: stepsUnavailable)
    }
}
