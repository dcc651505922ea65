import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsApp
@testable import PipeOpsModel

@Suite struct SelectiveExecutionRequestTests {
    @Test func theSelectionAndItsSourceAreSentAsSelectiveExecutionConfig() throws {
        let transport = ScriptedTransport([HTTPResponse(status: 200, body: Data(#"{"PipelineExecutionArn":"arn:e2"}"#.utf8))])
        let client = SageMakerClient(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret"), transport: transport)
        let arn = try Deployer.start(
            pipelineName: "p", parameters: [:], parallelism: nil, displayName: nil, client: client,
            selective: Deployer.Selective(steps: ["Evaluate", "QualityGate"], sourceExecutionArn: "arn:e1"))
        #expect(arn == "arn:e2")
        let body = try DocumentLoader.parse(data: try #require(transport.requests.first).body, path: "b.json", syntax: .json).root
        let config = try #require(body["SelectiveExecutionConfig"])
        #expect(config["SourcePipelineExecutionArn"]?.string == "arn:e1")
        #expect(config["SelectedSteps"]?.elements?.compactMap { $0["StepName"]?.string } == ["Evaluate", "QualityGate"])
    }
}
