import Foundation
import PipeOpsTestSupport
import Testing

/// `pipeline.requirements`: pipeops makes the compile venv itself, once per requirements and
/// interpreter, and a wrong interpreter is an error that says which Python is needed and why.
@Suite(.serialized) struct CompileEnvironmentTests {
    static func product(requirements: String) throws -> Scratch {
        let scratch = Scratch()
        scratch.write(
            "pipeops.yaml",
            "version: 1\npipeline:\n  name: churn-model\n  definition: pipeline/definition.py\n  requirements: requirements.txt\n")
        scratch.write("requirements.txt", requirements)
        scratch.write(
            "pipeline/definition.py",
            """
            from sagemaker.workflow.fail_step import FailStep
            from sagemaker.workflow.pipeline import Pipeline
            from sagemaker.workflow.pipeline_context import PipelineSession


            def get_pipeline(region="us-east-1"):
                return Pipeline(name="churn-model", steps=[FailStep(name="Stop", error_message="x")], sagemaker_session=PipelineSession())

            """)
        return scratch
    }

    /// The SDK version of the test venv: pip finds it in its cache, so the venv is made offline-fast.
    static func sdkVersion() throws -> String {
        let probe = try runTool([PythonDefinitionTests.sdkPython, "-c", "import sagemaker; print(sagemaker.__version__)"], in: "/")
        try #require(probe.status == 0, "\(probe.output)")
        return String(probe.output.split(separator: "\n").last ?? "").trimmingCharacters(in: .whitespaces)
    }

    @Test func theCompileVenvIsMadeOnceFromTheRequirements() throws {
        let version = try Self.sdkVersion()
        let product = try Self.product(requirements: "sagemaker==\(version)\n")
        let cache = Scratch()
        // No PIPEOPS_PYTHON and no pipeline.python: the venv comes from the requirements.
        let environment = ["PIPEOPS_CACHE": cache.path]
        let first = try CLI.run(["compile"], in: product.path, environment: environment, unsettingPrefixes: ["AWS_", "PIPEOPS_PYTHON"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("making the compile venv"), "\(first.stderr)")
        #expect(first.stderr.contains("sagemaker \(version)"), "compiled with the SDK the requirements name: \(first.stderr)")
        let venvs = try FileManager.default.contentsOfDirectory(atPath: cache.path + "/compile-venvs").filter { !$0.hasSuffix(".lock") }
        #expect(venvs.count == 1)
        #expect(FileManager.default.fileExists(atPath: cache.path + "/compile-venvs/\(venvs[0])/.pipeops-complete"))

        // A second product with the same requirements shares the venv; a lint with nothing changed starts no Python.
        let other = try Self.product(requirements: "sagemaker==\(version)\n")
        let second = try CLI.run(["lint"], in: other.path, environment: environment, unsettingPrefixes: ["AWS_", "PIPEOPS_PYTHON"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(!second.stderr.contains("making the compile venv"), "the venv is reused: \(second.stderr)")
        let third = try CLI.run(["lint"], in: other.path, environment: environment, unsettingPrefixes: ["AWS_", "PIPEOPS_PYTHON"])
        #expect(!third.stderr.contains("compiling"), "cached: \(third.stderr)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: cache.path + "/compile-venvs").filter { !$0.hasSuffix(".lock") }.count == 1)
    }

    @Test func aPythonTheProductNeedsButTheMachineLacksIsNamed() throws {
        let product = try Self.product(requirements: "sagemaker\n")
        product.write(".python-version", "3.99\n")
        let result = try CLI.run(
            ["compile"], in: product.path, environment: ["PIPEOPS_CACHE": Scratch().path], unsettingPrefixes: ["AWS_", "PIPEOPS_PYTHON"])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("the product needs Python 3.99 (.python-version), and python3.99 is not on PATH"), "\(result.stderr)")
        let missing = try Self.product(requirements: "")
        missing.write(
            "pipeops.yaml",
            "version: 1\npipeline:\n  name: m\n  definition: pipeline/definition.py\n  requirements: [requirements-ml.txt]\n")
        let named = try CLI.run(
            ["compile"], in: missing.path, environment: ["PIPEOPS_CACHE": Scratch().path], unsettingPrefixes: ["PIPEOPS_PYTHON"])
        #expect(named.status == 2)
        #expect(named.stderr.contains("pipeline.requirements names requirements-ml.txt, which does not exist"), "\(named.stderr)")
    }
}
