import Foundation
import PipeOpsTestSupport
import Testing

/// The compile's clock is the HEAD commit's time; it is part of the compile key only when the
/// definition can depend on it (the product's code read it, or a timestamp of that day reached the
/// definition), so a new commit that changes no input does not start Python again.
@Suite(.serialized) struct CompileClockTests {
    static func product(_ builder: String) throws -> Scratch {
        try AdoptTests.committed([
            "pipeline.py": builder,
            "pipeops.yaml": """
            version: 1
            pipeline: { name: clock-demo, definition: pipeline.py, kwargs: { region: us-east-1 }, roleArn: "arn:aws:iam::111111111111:role/r" }
            environments:
              dev: { parameters: environments/dev.yaml }

            """,
            "environments/dev.yaml": "parameters: {}\n",
        ])
    }

    static let timeless = """
        from sagemaker.workflow.fail_step import FailStep
        from sagemaker.workflow.pipeline import Pipeline
        from sagemaker.workflow.pipeline_context import PipelineSession


        def get_pipeline(region):
            return Pipeline(name="clock-demo", steps=[FailStep(name="Stop", error_message="no clock here")],
                            sagemaker_session=PipelineSession())

        """

    @Test func aNewCommitRecompilesOnlyADefinitionThatReadsTheClock() throws {
        for (builder, readsClock) in [
            (Self.timeless, false),
            (
                Self.timeless.replacingOccurrences(of: "\"no clock here\"", with: "time.strftime(\"built %H:%M\")").replacingOccurrences(
                    of: "from sagemaker.workflow.fail_step", with: "import time\nfrom sagemaker.workflow.fail_step"), true
            ),
        ] {
            let python = try PythonDefinitionTests.CountingPython()
            let repo = try Self.product(builder)
            let environment = ["PIPEOPS_PYTHON": python.path]
            let first = try CLI.run(["lint"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let compiled = python.starts
            #expect(compiled >= 1)
            // Another commit time for certain (two commits can share a second).
            let later = ["GIT_COMMITTER_DATE": "2031-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2031-01-01T00:00:00Z"]
            _ = try GitFixture.run(
                ["commit", "-q", "--allow-empty", "-m", "a commit that changes no input"], in: repo.path, environment: later)
            let again = try CLI.run(["lint"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
            #expect(again.status == 0)
            if readsClock {
                #expect(python.starts > compiled, "the builder reads the clock: a new commit time is a new definition")
            } else {
                #expect(python.starts == compiled, "no clock in the definition: Python is not started again")
            }
        }
    }
}
