import Foundation
import PipeOpsTestSupport
import Testing

/// `pipeops why`: a failed SageMaker execution explained from the account (moto: the pipeline,
/// the training job, CloudWatch Logs; a stand-in checked against botocore for
/// ListPipelineExecutionSteps, which moto answers with HTTP 500), and a failed local run.
@Suite struct WhyTests {
    @Test func aFailedExecutionNamesTheStepItsReasonItsJobAndALogLine() throws {
        let moto = try MotoServer()
        let product = try SageMakerCommandTests.product()
        try moto.createBucket("churn-model-artifacts")
        let environment = SageMakerCommandTests.environment
        #expect(
            try CLI.run(["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: environment).status == 0
        )
        let job = "pipelines-a1b2c3-Train-Xy12Ab"
        let arn = try moto.botocore(
            "sagemaker", as: "sm",
            """
            import time
            sm.create_training_job(TrainingJobName="\(job)", RoleArn="arn:aws:iam::123456789012:role/r",
                AlgorithmSpecification={"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1", "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": "s3://churn-model-artifacts/out"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
                StoppingCondition={"MaxRuntimeInSeconds": 3600})
            logs = session.create_client("logs", region_name="us-east-1", endpoint_url="\(moto.endpoint)",
                aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="test")
            logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
            logs.create_log_stream(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName="\(job)/algo-1-1700000000")
            logs.put_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName="\(job)/algo-1-1700000000",
                logEvents=[{"timestamp": int(time.time() * 1000) + i, "message": m} for i, m in enumerate(
                    ["epoch 1 loss 0.41", "Traceback (most recent call last):", "ValueError: labels must be 0 or 1"])])
            print(sm.start_pipeline_execution(PipelineName="churn-model")["PipelineExecutionArn"], end="")
            """)
        let answers: [String: Any] = [
            "SageMaker.ListPipelineExecutionSteps": [
                "PipelineExecutionSteps": [
                    [
                        "StepName": "Train", "StepStatus": "Failed", "AttemptCount": 2,
                        "FailureReason": "AlgorithmError: ValueError: labels must be 0 or 1, exit code: 1",
                        "Metadata": ["TrainingJob": ["Arn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/\(job)"]],
                    ],
                    [
                        "StepName": "Preprocess", "StepStatus": "Succeeded",
                        "CacheHitResult": [
                            "SourcePipelineExecutionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-model/execution/old"
                        ],
                    ],
                ]
            ]
        ]
        let proxy = try FaultProxy(upstream: moto, answers: answers)
        let why = try CLI.run(["why", arn, "--endpoint-url", proxy.endpoint], in: product.path, environment: environment)
        #expect(why.status == 0, "\(why.stdout)\(why.stderr)")
        let definition = try String(contentsOfFile: product.path + "/pipeline/definition.yaml", encoding: .utf8)
        let lines = definition.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (lines.firstIndex { $0.hasSuffix("- Name: Train") } ?? -2) + 1
        #expect(why.stdout.contains("✘ Train (Training) Failed · pipeline/definition.yaml:\(line)"), "\(why.stdout)")
        #expect(why.stdout.contains("reason   AlgorithmError: ValueError: labels must be 0 or 1"), "\(why.stdout)")
        #expect(why.stdout.contains("facts    2 attempts"), "\(why.stdout)")
        #expect(why.stdout.contains("job      TrainingJob \(job)"), "\(why.stdout)")
        #expect(why.stdout.contains("/aws/sagemaker/TrainingJobs/\(job)/algo-1-1700000000"), "\(why.stdout)")
        #expect(why.stdout.contains("           ValueError: labels must be 0 or 1"), "the log's last line: \(why.stdout)")
        #expect(!why.stdout.contains("✘ Preprocess"), "a succeeded step is no failure")
        // What was asked of the stand-in is what botocore would send.
        let asked = proxy.entries().filter { $0.target == "SageMaker.ListPipelineExecutionSteps" }
        #expect(!asked.isEmpty && asked.allSatisfy { $0.invalid == nil }, "\(asked.map { $0.invalid ?? "valid" })")
        #expect(proxy.forwarded("Logs_20140328.GetLogEvents") == 1, "the log came from moto's CloudWatch Logs")
        #expect(
            !(why.stdout + why.stderr).contains(SageMakerCommandTests.secret)
                && !(why.stdout + why.stderr).contains(SageMakerCommandTests.token))

        // With --env, the environment's latest failed execution; moto's never fail.
        let none = try CLI.run(["why", "--env", "dev", "--endpoint-url", proxy.endpoint], in: product.path, environment: environment)
        #expect(none.status == 2 && none.stderr.contains("has no failed execution"), "\(none.stderr)")
    }

    @Test func aFailedLocalRunNamesTheStepAndItsStderr() throws {
        let product = try MultiPipelineTests.product()
        let run = try CLI.run(["run", "--env", "dev", "--pipeline", "training", "--format", "json"], in: product.path)
        #expect(run.status == 1)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["id"] as? String, "\(run.stdout)")
        let why = try CLI.run(["why", id, "--pipeline", "training", "--format", "json"], in: product.path)
        #expect(why.status == 0, "\(why.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(why.stdout.utf8)) as? [String: Any])
        let step = try #require((root["failedSteps"] as? [[String: Any]])?.first, "\(why.stdout)")
        #expect(step["step"] as? String == "Train")
        #expect((step["failureReason"] as? String)?.contains("epochs 2") == true, "the Fail step's message with dev's value: \(why.stdout)")
        #expect(step["definedAt"] as? String == "pipelines/training.yaml:5", "\(why.stdout)")
    }

    /// A Python definition's failed step is located in definition.py, where its name is written.
    @Test func aPythonDefinitionsFailedStepIsLocatedInItsSource() throws {
        let product = try PythonDefinitionTests.product()
        let environment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]
        let run = try CLI.run(
            ["run", "--env", "dev", "--param", "AccuracyThreshold=0.999", "--format", "json"], in: product.path, environment: environment,
            unsettingPrefixes: ["AWS_"])
        #expect(run.status == 1, "no model meets the threshold: \(run.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let why = try CLI.run(["why", id], in: product.path, environment: environment, unsettingPrefixes: ["AWS_"])
        let source = try String(contentsOfFile: product.path + "/pipeline/definition.py", encoding: .utf8)
        let line =
            (source.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"AccuracyTooLow\"") } ?? -2) + 1
        #expect(why.stdout.contains("✘ AccuracyTooLow (Fail) Failed · pipeline/definition.py:\(line)"), "\(why.stdout)\(why.stderr)")
    }
}
