import Foundation
import PipeOpsTestSupport
import Testing

/// An environment file's `kwargs:` reach the builder when that environment is compiled (as a
/// SageMaker Projects buildspec passes each account its own role and bucket), each in a compile
/// cache of its own; the product's other environments keep pipeline.kwargs.
@Suite struct EnvironmentKwargsTests {
    static let builder = """
        from sagemaker.workflow.fail_step import FailStep
        from sagemaker.workflow.pipeline import Pipeline
        from sagemaker.workflow.pipeline_context import PipelineSession


        def get_pipeline(region, message="the builder's default", default_bucket=None):
            session = PipelineSession(default_bucket=default_bucket)
            return Pipeline(name="kwargs-demo", steps=[FailStep(name="Stop", error_message=message + " in " + session.default_bucket())],
                            sagemaker_session=session)

        """

    @Test func eachEnvironmentCompilesWithItsOwnKwargs() throws {
        let repo = try AdoptTests.committed([
            "pipeops.yaml": """
            version: 1
            pipeline:
              name: kwargs-demo
              definition: pipeline.py
              kwargs: { region: us-east-1, message: "from pipeops.yaml", default_bucket: shared-bucket }
              roleArn: "arn:aws:iam::111111111111:role/r"
            environments:
              dev: { parameters: environments/dev.yaml }
              staging: { parameters: environments/staging.yaml }

            """,
            "pipeline.py": Self.builder,
            "environments/dev.yaml": "parameters: {}\n",
            "environments/staging.yaml": "parameters: {}\nkwargs: { message: built for staging, default_bucket: staging-bucket }\n",
        ])
        let environment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(lint.stdout.contains("\"errors\": 0"), "kwargs: is an environment-file key: \(lint.stdout)\(lint.stderr)")
        var messages: [String: String] = [:]
        for name in ["dev", "staging"] {
            let render = try CLI.run(["render", "--env", name], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
            #expect(render.status == 0, "\(name): \(render.stderr)")
            messages[name] = render.stdout
        }
        #expect(messages["dev"]?.contains("from pipeops.yaml in shared-bucket") == true, "\(messages["dev"] ?? "")")
        #expect(messages["staging"]?.contains("built for staging in staging-bucket") == true, "\(messages["staging"] ?? "")")
        #expect(messages["staging"]?.contains("from pipeops.yaml") == false)
        #expect(FileManager.default.fileExists(atPath: repo.path + "/.pipeops/compiled/environments/staging/definition.json"))
        // The local run of staging runs staging's compile.
        let run = try CLI.run(["run", "--env", "staging"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(run.status == 1 && run.stdout.contains("built for staging in staging-bucket"), "\(run.stdout)\(run.stderr)")
        // A second render of each compiles nothing: each environment's compile is cached.
        for name in ["dev", "staging"] {
            let again = try CLI.run(["render", "--env", name], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
            #expect(!again.stderr.contains("compiling"), "\(name): \(again.stderr)")
        }
        // A kwargs: that is no mapping is a finding at its line.
        repo.write("environments/dev.yaml", "parameters: {}\nkwargs: [role]\n")
        let broken = try CLI.run(["lint"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(broken.status == 1 && broken.stdout.contains("environments/dev.yaml:2:"), "\(broken.stdout)\(broken.stderr)")
    }
}
