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

/// `pipeops adopt` on repositories written in the shapes real ones use (this suite's own code).
@Suite(.serialized) struct AdoptTests {
    static let seedPipeline = """
        import os
        from sagemaker.workflow.fail_step import FailStep
        from sagemaker.workflow.parameters import ParameterString
        from sagemaker.workflow.pipeline import Pipeline
        from sagemaker.workflow.pipeline_context import PipelineSession
        from pipelines.abalone.messages import TEXT


        def get_pipeline(region, role=None, default_bucket=None, model_package_group_name="AbaloneGroup",
                         pipeline_name="AbalonePipeline", base_job_prefix="Abalone"):
            threshold = ParameterString(name="Threshold", default_value="6.0")
            stop = FailStep(name="Stop", error_message=TEXT)
            return Pipeline(name=pipeline_name, parameters=[threshold], steps=[stop], sagemaker_session=PipelineSession())
        """

    static let buildspec = #"""
        version: 0.2
        phases:
          build:
            commands:
              - run-pipeline --module-name pipelines.abalone.pipeline --role-arn $SAGEMAKER_PIPELINE_ROLE_ARN --kwargs "{\"region\":\"${AWS_REGION}\",\"role\":\"${SAGEMAKER_PIPELINE_ROLE_ARN}\",\"default_bucket\":\"${ARTIFACT_BUCKET}\",\"pipeline_name\":\"abalone-pipeline\"}"
        """#

    @Test func sageMakerProjectsSeedCodeIsAdoptedCompiledAndLintedWithoutAHandWrittenFile() throws {
        let repo = try Self.committed([
            "pipelines/__init__.py": "", "pipelines/abalone/__init__.py": "", "pipelines/abalone/messages.py": "TEXT = 'seed code'\n",
            "pipelines/abalone/pipeline.py": Self.seedPipeline, "codebuild-buildspec.yml": Self.buildspec,
        ])

        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("pipelines.abalone.pipeline:get_pipeline"), "\(adopt.stdout)")
        #expect(adopt.stdout.contains("pipeline.kwargs.role"), "what to decide is said: \(adopt.stdout)")
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init).sorted()
        #expect(status == ["?? environments/", "?? pipeops.yaml"], "adopt only adds files: \(status)")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(manifest.contains("name: \"abalone-pipeline\""), "\(manifest)")
        // What the buildspec passes each account is left to decide per environment, in its file.
        let staging = try String(contentsOfFile: repo.path + "/environments/staging.yaml", encoding: .utf8)
        #expect(staging.contains("#   role: \"\"  # ${SAGEMAKER_PIPELINE_ROLE_ARN}"), "\(staging)")

        let environment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]
        let compile = try CLI.run(["compile"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(compile.status == 0, "\(compile.stderr)")
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)")
        let render = try CLI.run(["render", "--env", "dev"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(render.status == 0, "\(render.stderr)")
        #expect(try repo.git("status", "--porcelain").split(separator: "\n").count == 2, "compile and render changed nothing tracked")

        let again = try CLI.run(["adopt"], in: repo.path)
        #expect(again.status == 2)
        #expect(again.stderr.contains("exists already"), "\(again.stderr)")
    }

    @Test func builderFunctionsClassesAndCommittedJSONAreFound() throws {
        let repo = Scratch()
        repo.write(
            "builders/create.py",
            "from sagemaker.workflow.pipeline import Pipeline\n\ndef create_training_pipeline(a, b):\n    return Pipeline(name=a)\n")
        repo.write(
            "cls/builder.py",
            "from sagemaker.workflow.pipeline import Pipeline\n\nclass Tabular:\n    def __init__(self, x):\n        pass\n\n    def construct_pipeline(self):\n        return Pipeline(name='t')\n"
        )
        repo.write("defs/pipeline_definition.json", #"{"Version": "2020-12-01", "Steps": []}"#)
        let found = Adopter.discover(repo.path).map(\.definition)
        #expect(found.contains("builders/create.py:create_training_pipeline"), "\(found)")
        #expect(found.contains("cls/builder.py:Tabular.construct_pipeline"), "\(found)")
        #expect(found.contains("defs/pipeline_definition.json"), "\(found)")
    }

    static func twoPipelineRepository() throws -> Scratch {
        var files: [String: String] = [:]
        for (name, message) in [("training", "train"), ("inference", "score")] {
            files["pipelines/\(name)/__init__.py"] = ""
            files["pipelines/\(name)/pipeline.py"] =
                """
                from sagemaker.workflow.fail_step import FailStep
                from sagemaker.workflow.parameters import ParameterString
                from sagemaker.workflow.pipeline import Pipeline
                from sagemaker.workflow.pipeline_context import PipelineSession


                def get_pipeline(region, role=None, default_bucket=None, pipeline_name="\(name)"):
                    stage = ParameterString(name="Stage\(name.capitalized)", default_value="dev")
                    return Pipeline(name=pipeline_name, parameters=[stage],
                                    steps=[FailStep(name="Stop", error_message="\(message)")],
                                    sagemaker_session=PipelineSession())

                """
        }
        files["pipelines/__init__.py"] = ""
        files["tests/test_pipelines.py"] = "from sagemaker.workflow.pipeline import Pipeline\npipeline = Pipeline(name='test')\n"
        files["codebuild-buildspec.yml"] = #"""
            version: 0.2
            phases:
              build:
                commands:
                  - run-pipeline --module-name pipelines.training.pipeline --kwargs "{\"region\":\"${AWS_REGION}\",\"pipeline_name\":\"churn-training\"}"
                  - run-pipeline --module-name pipelines.inference.pipeline --kwargs "{\"region\":\"${AWS_REGION}\",\"pipeline_name\":\"churn-inference\"}"
            """#
        return try committed(files)
    }

    /// Two pipelines in one repository: both adopted into one product, compiled, linted together,
    /// rendered one at a time (the same structure on a clone at another path) and run locally.
    @Test func twoPipelinesInOneRepositoryBecomeOneProduct() throws {
        let repo = try Self.twoPipelineRepository()
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(manifest.contains("pipelines:\n  training:\n    name: \"churn-training\""), "\(manifest)")
        #expect(
            manifest.contains("  inference:\n    name: \"churn-inference\"\n    definition: \"pipelines.inference.pipeline:get_pipeline\""))
        #expect(!manifest.contains("tests/"), "test code is no pipeline: \(manifest)")
        #expect(adopt.stdout.contains("--pipeline"), "\(adopt.stdout)")
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init).sorted()
        #expect(status == ["?? environments/", "?? pipeops.yaml"], "adopt only adds files: \(status)")

        let environment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)\(lint.stderr)")
        #expect(lint.stdout.contains("\"files\": 6"), "pipeops.yaml, two compiled definitions, three environments: \(lint.stdout)")

        // A clone at another path renders the same structure for each pipeline.
        let clone = Scratch()
        _ = try GitFixture.run(["clone", "-q", repo.path, clone.path + "/elsewhere"], in: clone.path)
        for file in ["pipeops.yaml", "environments/dev.yaml", "environments/staging.yaml", "environments/prod.yaml"] {
            clone.write("elsewhere/" + file, try String(contentsOfFile: repo.path + "/" + file, encoding: .utf8))
        }
        for pipeline in ["training", "inference"] {
            var hashes: [String] = []
            for root in [repo.path, clone.path + "/elsewhere"] {
                let render = try CLI.run(
                    ["render", "--env", "dev", "--pipeline", pipeline, "-o", root + "/.pipeops/\(pipeline).json"], in: root,
                    environment: environment, unsettingPrefixes: ["AWS_"])
                #expect(render.status == 0, "\(render.stderr)")
                hashes.append(render.stderr.components(separatedBy: "structure sha256 ").last ?? "")
            }
            #expect(hashes[0] == hashes[1] && !hashes[0].isEmpty, "\(pipeline): \(hashes)")
        }
        let run = try CLI.run(
            ["run", "--env", "dev", "--pipeline", "inference", "--format", "json"], in: repo.path, environment: environment,
            unsettingPrefixes: ["AWS_"])
        #expect(run.status == 1, "the pipeline's Fail step fails the run: \(run.stderr)")
        #expect(run.stdout.contains("score"), "inference's own step ran: \(run.stdout)")
        #expect(try repo.git("status", "--porcelain").split(separator: "\n").count == 2, "nothing tracked changed")
    }

    static let embeddedDefinition =
        #"{"Version": "2020-12-01", "Parameters": [{"Name": "InputData", "Type": "String", "DefaultValue": "s3://churn-data/in"}], "Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": {"Get": "Parameters.InputData"}}}]}"#

    static func committed(_ files: [String: String]) throws -> Scratch {
        let repo = Scratch()
        for (path, text) in files { repo.write(path, text) }
        repo.write(".gitignore", ".pipeops/\n")
        try repo.git("init", "-q", "-b", "main")
        try repo.git("config", "user.name", "CI")
        try repo.git("config", "user.email", "ci@example.com")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "infrastructure")
        return repo
    }

    /// A definition embedded in Terraform (a heredoc) is written out beside it, adopted, linted
    /// and rendered; an HCL jsonencode is named as a decision, not guessed.
    @Test func aTerraformEmbeddedDefinitionIsExtracted() throws {
        let repo = try Self.committed([
            "infra/main.tf": """
            resource "aws_iam_role" "pipeline" {
              name = "churn-pipeline"
            }

            resource "aws_sagemaker_pipeline" "churn" {
              pipeline_name         = "churn-terraform"
              pipeline_display_name = "churn"
              role_arn              = aws_iam_role.pipeline.arn
              pipeline_definition   = <<EOF
            \(Self.embeddedDefinition)
            EOF
              tags = { team = "ml" }
            }

            """,
            "infra/legacy.tf": """
            resource "aws_sagemaker_pipeline" "legacy" {
              pipeline_name       = "legacy"
              pipeline_definition = jsonencode({ Version = "2020-12-01", Steps = [] })
            }

            """,
        ])
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("infra/main.tf embeds it in a heredoc"), "\(adopt.stdout)")
        #expect(adopt.stdout.contains("infra/legacy.tf builds a pipeline_definition with jsonencode"), "\(adopt.stdout)")
        let extracted = try String(contentsOfFile: repo.path + "/pipeline/churn-terraform.json", encoding: .utf8)
        #expect(extracted == Self.embeddedDefinition + "\n")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(
            manifest.contains("name: \"churn-terraform\"") && manifest.contains("definition: \"pipeline/churn-terraform.json\""),
            "\(manifest)")
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init).sorted()
        #expect(status == ["?? environments/", "?? pipeline/", "?? pipeops.yaml"], "adopt only adds files: \(status)")
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path)
        #expect(lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)")
        let render = try CLI.run(["render", "--env", "dev"], in: repo.path)
        #expect(render.status == 0, "\(render.stderr)")
        #expect(render.stdout.contains("\"PipelineName\": \"churn-terraform\""), "\(render.stdout)")
    }

    /// CloudFormation's PipelineDefinitionBody and a Terraform file(...) are read where they are.
    @Test func cloudFormationAndTerraformFileDefinitionsAreFound() throws {
        let repo = try Self.committed([
            "cfn/pipeline.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              ChurnPipeline:
                Type: AWS::SageMaker::Pipeline
                Properties:
                  PipelineName: churn-cfn
                  RoleArn: arn:aws:iam::111111111111:role/churn
                  PipelineDefinition:
                    PipelineDefinitionBody: '\(Self.embeddedDefinition)'

            """,
            "infra/scoring.tf": """
            resource "aws_sagemaker_pipeline" "scoring" {
              pipeline_name       = "churn-scoring"
              pipeline_definition = file("${path.module}/../definitions/scoring.json")
            }

            """,
            "definitions/scoring.json": Self.embeddedDefinition,
        ])
        let found = Adopter.discover(repo.path)
        #expect(found.map(\.definition).sorted() == ["definitions/scoring.json", "pipeline/churn-cfn.json"], "\(found.map(\.definition))")
        #expect(found.first { $0.definition == "pipeline/churn-cfn.json" }?.extracted == Self.embeddedDefinition + "\n")
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        let lint = try CLI.run(["lint"], in: repo.path)
        #expect(lint.status == 0 && lint.stderr.contains("0 errors"), "\(lint.stdout)\(lint.stderr)")
        for pipeline in ["churn-cfn", "scoring"] {
            let render = try CLI.run(["render", "--env", "staging", "--pipeline", pipeline], in: repo.path)
            #expect(render.status == 0, "\(pipeline): \(render.stderr)")
        }
    }

    /// The repository's requirements become the compile venv's (dev and test requirements do not).
    @Test func theRepositorysRequirementsMakeTheCompileVenv() throws {
        let repo = try Self.committed([
            "pipeline.py": "from sagemaker.workflow.pipeline import Pipeline\n\ndef get_pipeline(region):\n    return Pipeline(name='p')\n",
            "requirements.txt": "sagemaker>=2.200\nxgboost\n",
            "requirements-dev.txt": "pytest\n",
        ])
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(manifest.contains("  requirements: [\"requirements.txt\"]\n"), "\(manifest)")
        #expect(adopt.stdout.contains("the compile venv: pipeops makes it from requirements.txt"), "\(adopt.stdout)")
    }
}
