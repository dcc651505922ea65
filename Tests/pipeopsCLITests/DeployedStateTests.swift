import Foundation
import PipeOpsTestSupport
import Testing

/// `plan` and `status` read the account (a real moto_server): what upsert would change, what is
/// deployed, and drift when the pipeline is edited outside git (boto3's update_pipeline, as a
/// Studio edit does).
@Suite struct DeployedStateTests {
    static func run(_ arguments: [String], _ product: Scratch, _ moto: MotoServer) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let result = try CLI.run(
            arguments + ["--endpoint-url", moto.endpoint], in: product.path, environment: SageMakerCommandTests.environment)
        return (result.status, result.stdout, "\(result.stderr)")
    }

    @Test func planShowsWhatUpsertWouldChangeAndStatusNamesDriftFieldByField() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        // One account here: each environment its own pipeline, as each would in its own account.
        for environment in ["dev", "staging", "prod"] {
            let path = product.path + "/environments/\(environment).yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "pipelineName: churn-model-\(environment)\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        try product.git("commit", "-qam", "a pipeline per environment")
        try moto.createBucket("churn-model-artifacts")

        let before = try Self.run(["plan", "--env", "dev"], product, moto)
        #expect(before.status == 1, "a pipeline to create is a change: \(before.stdout)\(before.stderr)")
        #expect(before.stdout.contains("+ create pipeline churn-model-dev (dev)"), "\(before.stdout)")
        #expect(before.stdout.contains("+ publish s3://churn-model-artifacts/code/"), "its code objects: \(before.stdout)")

        let upsert = try Self.run(["upsert", "--env", "dev"], product, moto)
        #expect(upsert.status == 0, "\(upsert.stderr)")
        let same = try Self.run(["plan", "--env", "dev", "--format", "json"], product, moto)
        #expect(same.status == 0, "nothing to change after the upsert: \(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("\"changes\": false") && same.stdout.contains("\"publish\": []"), "\(same.stdout)")
        let clean = try Self.run(["status", "--env", "dev"], product, moto)
        #expect(
            clean.status == 0 && clean.stdout.contains("(deployed)") && clean.stdout.contains("no drift"), "\(clean.stdout)\(clean.stderr)")

        // Edited outside git, as Studio edits it.
        _ = try moto.botocore(
            "sagemaker", as: "sm",
            """
            described = sm.describe_pipeline(PipelineName="churn-model-dev")
            definition = json.loads(described["PipelineDefinition"])
            for step in definition["Steps"]:
                if step["Name"] == "Train":
                    step["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200
            sm.update_pipeline(PipelineName="churn-model-dev", PipelineDefinition=json.dumps(definition), RoleArn=described["RoleArn"])
            """)
        let drifted = try Self.run(["status", "--env", "dev"], product, moto)
        #expect(drifted.status == 1, "drift is exit 1: \(drifted.stdout)\(drifted.stderr)")
        #expect(
            drifted.stdout.contains("DRIFT") && drifted.stdout.contains("Steps.Train.Arguments.StoppingCondition.MaxRuntimeInSeconds"),
            "\(drifted.stdout)")
        let json = try Self.run(["status", "--env", "dev", "--format", "json"], product, moto)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let entry = try #require((root["environments"] as? [[String: Any]])?.first)
        #expect(entry["drift"] as? [String] == ["Steps.Train.Arguments.StoppingCondition.MaxRuntimeInSeconds"], "\(json.stdout)")
        let planned = try Self.run(["plan", "--env", "dev"], product, moto)
        #expect(planned.status == 1)
        #expect(
            planned.stdout.contains("~ step Train\n    Arguments.StoppingCondition.MaxRuntimeInSeconds: 7200 → 3600"), "\(planned.stdout)")
        let markdown = try Self.run(["plan", "--env", "dev", "--format", "markdown"], product, moto)
        #expect(
            markdown.stdout.hasPrefix("### pipeops plan: churn-model-dev (dev)") && markdown.stdout.contains("```diff"),
            "\(markdown.stdout)")

        // A new upsert repairs it.
        #expect(try Self.run(["upsert", "--env", "dev"], product, moto).status == 0)
        let repaired = try Self.run(["status", "--env", "dev"], product, moto)
        #expect(repaired.status == 0 && repaired.stdout.contains("no drift"), "\(repaired.stdout)")
        // Staging was never upserted: status says so, and drift is not claimed.
        let staging = try Self.run(["status", "--env", "staging"], product, moto)
        #expect(
            staging.status == 0 && staging.stdout.contains("deployed   nothing: no pipeline named churn-model-staging"), "\(staging.stdout)"
        )
        // The old spelling of plan says where the waves went.
        let old = try Self.run(["plan", "--parallelism", "2"], product, moto)
        #expect(old.status == 2 && old.stderr.contains("pipeops graph --waves --parallelism 2"), "\(old.stderr)")
        // Nothing printed a credential.
        for output in [before, same, clean, drifted, planned, repaired] {
            #expect(!(output.stdout + output.stderr).contains(SageMakerCommandTests.secret))
            #expect(!(output.stdout + output.stderr).contains(SageMakerCommandTests.token))
        }
    }

    /// An upsert from a commit the ledger does not record for the environment is said apart from drift.
    @Test func aDeploymentFromAnUnrecordedCommitIsSaidApartFromDrift() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        try moto.createBucket("churn-model-artifacts")
        let tag = try CLI.run(["tag", "0.1.0"], in: product.path)
        #expect(tag.status == 0, "\(tag.stderr)")
        #expect(try CLI.run(["promote", "--to", "dev"], in: product.path).status == 0)
        let path = product.path + "/environments/dev.yaml"
        try (try String(contentsOfFile: path, encoding: .utf8) + "description: a later commit\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "later")
        #expect(try Self.run(["upsert", "--env", "dev"], product, moto).status == 0)
        let status = try Self.run(["status", "--env", "dev"], product, moto)
        #expect(status.status == 0, "no drift: the pipeline is its commit's rendering: \(status.stdout)")
        #expect(status.stdout.contains("is not v0.1.0"), "the ledger's release is named: \(status.stdout)")
    }
}
