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

/// upsert and start through the pipeops binary against a real moto_server.
@Suite struct SageMakerCommandTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEY"
    static let token = "IQoJb3JpZ2luX2VjSESSIONzTOKENzVALUE"
    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
        "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    ]

    /// A scaffolded product in a git repository (so renders carry the git stamp).
    static func product(template: String = "default") throws -> Scratch {
        let scratch = Scratch()
        let result = try CLI.run(
            ["init", ".", "--name", "churn-model", "--account", "123456789012", "--template", template], in: scratch.path)
        guard result.status == 0 else { throw CLIError(result.stderr) }
        try scratch.git("init", "-q", "-b", "main")
        try scratch.git("config", "user.name", "CI")
        try scratch.git("config", "user.email", "ci@example.com")
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "product")
        return scratch
    }

    func client(_ moto: MotoServer) -> SageMakerClient {
        SageMakerClient(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret),
            endpoint: URL(string: moto.endpoint))
    }

    /// upsert and start once sent whatever the definition held; a definition SageMaker would
    /// reject (or that silently goes wrong) is now refused before any request, with the findings.
    @Test func upsertAndStartRefuseADefinitionWithLintErrors() throws {
        let moto = try MotoServer()
        let product = try Self.product()
        let definition = product.path + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8)
        try (text + "\n  - { Name: Dangling, Type: Fail, DependsOn: [NoSuchStep], Arguments: { ErrorMessage: x } }\n")
            .write(toFile: definition, atomically: false, encoding: .utf8)
        for command in ["upsert", "start"] {
            let result = try CLI.run(
                [command, "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("[unknown-step]"), "\(command): \(result.stderr)")
        }
        #expect(throws: (any Error).self) { try client(moto).call("DescribePipeline", Node(object: [("PipelineName", "churn-model")])) }
    }

    @Test func createUpdateDescribeTagsStartAndList() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try Self.product()
        let created = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("\ncreated arn:aws:sagemaker:us-east-1:"), "\(created.stdout)")

        let sagemaker = client(moto)
        let arn = try sagemaker.call("DescribePipeline", Node(object: [("PipelineName", "churn-model")]))["PipelineArn"]?.string ?? ""
        // A tag someone added by hand survives the upsert's merge; a stamp tag is replaced.
        _ = try sagemaker.call(
            "AddTags",
            Node(object: [
                ("ResourceArn", Node(.string(arn))),
                (
                    "Tags",
                    [
                        Node(object: [("Key", "owner"), ("Value", "data-team")]),
                        Node(object: [("Key", "pipeops:environment"), ("Value", "stale")]),
                    ]
                ),
            ]))
        // Change the structure, commit, upsert again: an update.
        let definition = product.path + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "MaxRuntimeInSeconds: 3600", with: "MaxRuntimeInSeconds: 5400")
        try text.write(toFile: definition, atomically: true, encoding: .utf8)
        try product.git("commit", "-qam", "longer training")
        let updated = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdout.contains("\nupdated "), "\(updated.stdout)")

        let described = try sagemaker.call("DescribePipeline", Node(object: [("PipelineName", "churn-model")]))
        let rendered = try CLI.run(["render", "--env", "dev"], in: product.path)
        let request = try DocumentLoader.parse(data: Data(rendered.stdout.utf8), path: "render.json").root
        #expect(described["PipelineDefinition"]?.string == request["PipelineDefinition"]?.string)
        #expect(described["PipelineDefinition"]?.string?.contains("5400") == true)
        #expect(described["RoleArn"]?.string == "arn:aws:iam::123456789012:role/churn-model-pipeline")

        let tags = try sagemaker.call("ListTags", Node(object: [("ResourceArn", Node(.string(arn)))]))["Tags"]?.elements ?? []
        let tagMap = Dictionary(tags.map { ($0["Key"]?.string ?? "", $0["Value"]?.string ?? "") }, uniquingKeysWith: { _, last in last })
        #expect(tagMap["owner"] == "data-team")
        #expect(tagMap["pipeops:environment"] == "dev")
        #expect(tagMap["pipeops:git-commit"] == (try product.git("rev-parse", "HEAD")))
        #expect(tagMap["product"] == "churn-model")

        let started = try CLI.run(
            ["start", "--env", "dev", "--param", "Epochs=50", "--endpoint-url", moto.endpoint, "--wait", "--poll-interval", "0.2"],
            in: product.path, environment: Self.environment)
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)")
        let executionArn = try #require(started.stdout.split(separator: "\n").first.map(String.init))
        #expect(executionArn.contains(":pipeline/churn-model/execution/"))
        #expect(started.stdout.contains("execution Succeeded"))

        let execution = try sagemaker.call(
            "DescribePipelineExecution", Node(object: [("PipelineExecutionArn", Node(.string(executionArn)))]))
        #expect(execution["PipelineExecutionStatus"]?.string == "Succeeded")
        let parameters = try sagemaker.call(
            "ListPipelineParametersForExecution", Node(object: [("PipelineExecutionArn", Node(.string(executionArn)))]))
        let values = Dictionary(
            (parameters["PipelineParameters"]?.elements ?? []).map { ($0["Name"]?.string ?? "", $0["Value"]?.string ?? "") },
            uniquingKeysWith: { _, last in last })
        #expect(values["Epochs"] == "50")
        #expect(values["AccuracyThreshold"] == "0.6")
        let list = try sagemaker.call("ListPipelineExecutions", Node(object: [("PipelineName", "churn-model")]))
        #expect(list["PipelineExecutionSummaries"]?.elements?.contains { $0["PipelineExecutionArn"]?.string == executionArn } == true)
    }

    @Test func secretsNeverReachOutputIncludingVerboseAndErrors() throws {
        let moto = try MotoServer()
        let product = try Self.product()
        let runs: [[String]] = [
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint, "--verbose"],
            ["upsert", "--env", "dev", "--dry-run", "--verbose"],
            ["start", "--env", "dev", "--endpoint-url", moto.endpoint, "--verbose", "--wait", "--poll-interval", "0.2"],
            ["start", "--env", "dev", "--param", "Nope=1", "--endpoint-url", moto.endpoint, "--verbose"],
            ["start", "--env", "staging", "--endpoint-url", "http://127.0.0.1:1", "--verbose"],
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint, "--profile", "missing", "--verbose"],
            // The commands that read the account: what upsert would change, drift, why.
            ["plan", "--env", "dev", "--endpoint-url", moto.endpoint, "--verbose", "--format", "json"],
            ["status", "--endpoint-url", moto.endpoint, "--verbose", "--format", "json"],
            ["why", "--env", "dev", "--endpoint-url", moto.endpoint, "--verbose"],
            ["start", "--env", "dev", "--changed", "--endpoint-url", moto.endpoint, "--verbose"],
            ["plan", "--env", "dev", "--endpoint-url", "http://127.0.0.1:1", "--verbose"],
        ]
        var sawVerbose = false
        for arguments in runs {
            let result = try CLI.run(arguments, in: product.path, environment: Self.environment)
            let output = result.stdout + result.stderr
            #expect(!output.contains(Self.secret), "\(arguments) printed the secret key")
            #expect(!output.contains(Self.token), "\(arguments) printed the session token")
            #expect(!output.contains("Signature="), "\(arguments) printed a signature")
            if output.contains("pipeops: POST ") { sawVerbose = true }
        }
        #expect(sawVerbose, "--verbose logged requests")
        let startWithoutPipeline = try CLI.run(
            ["start", "--env", "staging", "--region", "eu-west-2", "--endpoint-url", moto.endpoint], in: product.path,
            environment: Self.environment)
        #expect(startWithoutPipeline.status == 2)
        #expect(startWithoutPipeline.stderr.contains("SageMaker"))
    }

    @Test func missingRegionAndCredentialsAreClearErrors() throws {
        let product = try Self.product()
        let noRegion = try CLI.run(
            ["upsert", "--env", "dev"], in: product.path,
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDX", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
                "AWS_CONFIG_FILE": "/nonexistent", "HOME": "/nonexistent",
            ])
        #expect(noRegion.status == 2)
        #expect(noRegion.stderr.contains("no AWS region"))
        let noCredentials = try CLI.run(
            ["upsert", "--env", "dev", "--region", "us-east-1"], in: product.path,
            environment: [
                "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/c",
                "AWS_CONFIG_FILE": "/nonexistent/cfg", "HOME": "/nonexistent",
            ])
        #expect(noCredentials.status == 2)
        #expect(noCredentials.stderr.contains("no AWS credentials found; looked at"))
    }

    @Test func promoteUpsertsAndProdIsNeverStartedByAccident() throws {
        let moto = try MotoServer()
        let product = try Self.product()
        try product.git("tag", "-a", "v1.0.0", "-m", "release")
        // Without the code bucket the upsert fails, and then nothing is recorded.
        let failed = try CLI.run(
            ["promote", "--to", "dev", "--upsert", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("NoSuchBucket"), "\(failed.stderr)")
        #expect(try product.git("notes", "--ref=pipeops", "list").isEmpty, "a failed upsert records no promotion")
        try moto.createBucket("churn-model-artifacts")
        let promoted = try CLI.run(
            ["promote", "--to", "dev", "--upsert", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(promoted.status == 0, "\(promoted.stdout)\(promoted.stderr)")
        #expect(promoted.stdout.contains("promoted v1.0.0 to dev"))
        #expect(promoted.stdout.contains("created arn:aws:sagemaker:us-east-1:"))
        let prod = try CLI.run(
            ["start", "--env", "prod", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(prod.status == 2)
        #expect(prod.stderr.contains("execute: false"))
    }

    @Test func definitionsOver100KiBGoThroughS3() throws {
        let moto = try MotoServer()
        let product = try Self.product()
        let padding = (0..<120).map { "  note\($0): \"" + String(repeating: "x", count: 1000) + "\"" }.joined(separator: "\n")
        let definition = product.path + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "Metadata: {}", with: "Metadata:\n" + padding)
        try text.write(toFile: definition, atomically: true, encoding: .utf8)
        let environment = product.path + "/environments/dev.yaml"
        try (try String(contentsOfFile: environment, encoding: .utf8) + "definitionBucket: pipeline-definitions\n").write(
            toFile: environment, atomically: true, encoding: .utf8)
        let bucket = try runTool(
            [
                "python3", "-c",
                """
                import boto3
                boto3.client("s3", endpoint_url="\(moto.endpoint)", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y").create_bucket(Bucket="pipeline-definitions")
                """,
            ], in: product.path)
        try #require(bucket.status == 0, "\(bucket.output)")
        try moto.createBucket("churn-model-artifacts")
        let upserted = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: Self.environment)
        #expect(upserted.status == 0, "\(upserted.stderr)")
        #expect(upserted.stdout.contains("definition s3://pipeline-definitions/pipeops/churn-model/"))
        let rendered = try DocumentLoader.parse(
            data: Data(try CLI.run(["render", "--env", "dev"], in: product.path).stdout.utf8), path: "r.json"
        ).root
        let stored = try runTool(
            [
                "python3", "-c",
                """
                import boto3
                s3 = boto3.client("s3", endpoint_url="\(moto.endpoint)", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
                key = s3.list_objects_v2(Bucket="pipeline-definitions")["Contents"][0]["Key"]
                print(s3.get_object(Bucket="pipeline-definitions", Key=key)["Body"].read().decode(), end="")
                """,
            ], in: product.path)
        #expect(stored.status == 0, "\(stored.output)")
        #expect(stored.output == rendered["PipelineDefinition"]?.string)
        #expect(stored.output.utf8.count > 102_400)
    }
}
