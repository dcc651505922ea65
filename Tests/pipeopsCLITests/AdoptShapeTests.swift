import Foundation
import PipeOpsTestSupport
import Testing

/// Repository shapes as their authors write them, each taken through the whole acceptance path.
extension AdoptTests {
    /// Repository shapes as their authors write them, each adopted with no hand-written file.
    static let shapes: [(name: String, files: [String: String], definition: String, added: [String])] = [
        (
            "a builder function with another name",
            [
                "src/ml/build.py": """
                from sagemaker.workflow.fail_step import FailStep
                from sagemaker.workflow.pipeline import Pipeline
                from sagemaker.workflow.pipeline_context import PipelineSession


                def create_training_pipeline(region, role=None):
                    return Pipeline(name="churn", steps=[FailStep(name="Stop", error_message="built by a function")],
                                    sagemaker_session=PipelineSession())

                """
            ],
            "src/ml/build.py:create_training_pipeline", []
        ),
        (
            "a builder class",
            [
                "ml/tabular.py": """
                from sagemaker.workflow.fail_step import FailStep
                from sagemaker.workflow.pipeline import Pipeline
                from sagemaker.workflow.pipeline_context import PipelineSession


                class TabularPipeline:
                    def __init__(self, region):
                        self.region = region

                    def construct_pipeline(self):
                        return Pipeline(name="tabular", steps=[FailStep(name="Stop", error_message="built by a class")],
                                        sagemaker_session=PipelineSession())

                """
            ],
            "ml/tabular.py:TabularPipeline.construct_pipeline", []
        ),
        (
            "a config-driven builder with a YAML conf",
            [
                "conf/pipeline.yaml": "name: churn-config\nmessage: built from the conf\n",
                "pipeline.py": """
                import os
                import yaml
                from sagemaker.workflow.fail_step import FailStep
                from sagemaker.workflow.pipeline import Pipeline
                from sagemaker.workflow.pipeline_context import PipelineSession


                def get_pipeline(region):
                    profile = os.environ.get("SMP_PROFILE", "dev")
                    with open("conf/pipeline.yaml") as handle:  # relative to the working directory
                        conf = yaml.safe_load(handle)
                    return Pipeline(name=conf["name"], steps=[FailStep(name="Stop", error_message=conf["message"] + " " + profile)],
                                    sagemaker_session=PipelineSession())

                """,
            ],
            "pipeline.py", []
        ),
        ("committed JSON", ["pipeline_definition.json": embeddedDefinition], "pipeline_definition.json", []),
        (
            "SageMaker Projects seed code with a buildspec",
            [
                "pipelines/__init__.py": "", "pipelines/abalone/__init__.py": "", "pipelines/abalone/messages.py": "TEXT = 'seed code'\n",
                "pipelines/abalone/pipeline.py": seedPipeline, "codebuild-buildspec.yml": buildspec,
            ],
            "pipelines.abalone.pipeline:get_pipeline", []
        ),
        (
            "a Terraform-embedded definition",
            [
                "infra/main.tf":
                    "resource \"aws_sagemaker_pipeline\" \"churn\" {\n  pipeline_name       = \"churn-terraform\"\n  pipeline_definition = <<EOF\n"
                    + embeddedDefinition + "\nEOF\n}\n"
            ],
            "pipeline/churn-terraform.json", ["?? pipeline/"]
        ),
    ]

    /// Each shape: adopted, compiled, linted with 0 errors, rendered on two clones at different
    /// paths (one structure hash) and run locally; git status shows only what adopt added.
    @Test(arguments: shapes.indices)
    func eachShapeIsAdoptedLintedRenderedOnTwoClonesAndRun(_ index: Int) throws {
        let shape = Self.shapes[index]
        let repo = try Self.committed(shape.files)
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(shape.name): \(adopt.stderr)")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(manifest.contains("definition: \"\(shape.definition)\""), "\(shape.name): \(manifest)")
        let environment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(lint.stdout.contains("\"errors\": 0"), "\(shape.name): \(lint.stdout)\(lint.stderr)")
        let hashes = try Self.structuresOnTwoClones(repo, also: shape.added.isEmpty ? [] : [shape.definition], environment: environment)
        #expect(hashes[0] == hashes[1] && !hashes[0].isEmpty, "\(shape.name): \(hashes)")
        let run = try CLI.run(
            ["run", "--env", "dev", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(run.stdout.contains("\"status\""), "\(shape.name): the run recorded its steps: \(run.stdout)\(run.stderr)")
        #expect(run.status == 1, "\(shape.name): its one step is a Fail step: \(run.stderr)")
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init).sorted()
        #expect(status == (["?? environments/", "?? pipeops.yaml"] + shape.added).sorted(), "\(shape.name): only adopt's files: \(status)")
    }

    /// The staging structure hash rendered in `repo` and in a clone of it at another path (what
    /// adopt wrote, and the files `also` names, go to the clone as a person would commit them).
    static func structuresOnTwoClones(_ repo: Scratch, also: [String] = [], environment: [String: String]) throws -> [String] {
        let clone = Scratch()
        _ = try GitFixture.run(["clone", "-q", repo.path, clone.path + "/other-path"], in: clone.path)
        for file in ["pipeops.yaml", "environments/dev.yaml", "environments/staging.yaml", "environments/prod.yaml"] + also {
            clone.write("other-path/" + file, try String(contentsOfFile: repo.path + "/" + file, encoding: .utf8))
        }
        var hashes: [String] = []
        for root in [repo.path, clone.path + "/other-path"] {
            let render = try CLI.run(
                ["render", "--env", "staging", "-o", root + "/.pipeops/staging.json"], in: root, environment: environment,
                unsettingPrefixes: ["AWS_"])
            #expect(render.status == 0, "\(render.stderr)")
            hashes.append(render.stderr.components(separatedBy: "structure sha256 ").last ?? "")
        }
        return hashes
    }
}
