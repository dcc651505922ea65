import Foundation
import PipeOpsTestSupport
import Testing

/// An SDK v3 `@step` script that builds its pipeline at module level, adopted and then run by
/// the local engine: the SDK's own remote-function runtime reads its pickled function and
/// arguments through the run's S3 endpoint and writes its result there.
extension AdoptTests {
    static let stepScript = """
        \"\"\"Two @step functions, the second fed by the first.\"\"\"
        from sagemaker.mlops.workflow.function_step import step
        from sagemaker.mlops.workflow.pipeline import Pipeline

        IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/steps:py311"


        @step(name="prepare", instance_type="ml.m5.large", image_uri=IMAGE)
        def prepare(rows):
            return [row * 2 for row in range(rows)]


        @step(name="summarise", instance_type="ml.m5.large", image_uri=IMAGE)
        def summarise(values):
            return {"total": sum(values), "count": len(values)}


        pipeline = Pipeline(name="steps-v3", steps=[summarise(prepare(4))])

        """

    static var sdkV3Python: String {
        (ProcessInfo.processInfo.environment["PIPEOPS_SDK_V3"]
            ?? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cache/pipeops/venvs/sdk-v3") + "/bin/python"
    }

    @Test func aV3StepScriptIsAdoptedLintedRenderedOnTwoClonesAndRunLocally() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.sdkV3Python), "run scripts/install-deps.sh: no SDK v3 venv")
        let repo = try Self.committed(["flows/steps_pipeline.py": Self.stepScript])
        let adopt = try CLI.run(["adopt"], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        let manifest = try String(contentsOfFile: repo.path + "/pipeops.yaml", encoding: .utf8)
        #expect(manifest.contains("definition: \"flows/steps_pipeline.py:pipeline\""), "\(manifest)")
        let environment = ["PIPEOPS_PYTHON": Self.sdkV3Python]
        let lint = try CLI.run(["lint", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)\(lint.stderr)")

        let hashes = try Self.structuresOnTwoClones(repo, environment: environment)
        #expect(hashes[0] == hashes[1] && !hashes[0].isEmpty, "one structure from two paths: \(hashes)")

        let run = try CLI.run(
            ["run", "--env", "dev", "--format", "json"], in: repo.path, environment: environment, unsettingPrefixes: ["AWS_"])
        #expect(run.status == 0, "both functions ran: \(run.stdout)\(run.stderr)")
        // The SDK's runtime wrote each function's result where the next step and the SDK read it.
        let store = repo.path + "/.pipeops/s3/"
        let objects = (FileManager.default.enumerator(atPath: store)?.allObjects as? [String]) ?? []
        let prepared = try objects.first { $0.contains("/prepare/") && $0.hasSuffix("/results/results.json") }.map {
            try String(contentsOfFile: store + $0, encoding: .utf8)
        }
        #expect(prepared?.contains("\"Result\": [0, 2, 4, 6]") == true, "prepare's result: \(prepared ?? "none")")
        let pickled = try #require(objects.first { $0.contains("/summarise/") && $0.hasSuffix("/results/payload.pkl") }, "\(objects)")
        let summary = try runTool(
            [
                Self.sdkV3Python, "-c", "import cloudpickle, sys; print(sorted(cloudpickle.load(open(sys.argv[1], 'rb')).items()))",
                store + pickled,
            ],
            in: repo.path)
        #expect(summary.output.contains("[('count', 4), ('total', 12)]"), "summarise got prepare's list: \(summary.output)")
        // The runtime's workspace folder went into the step's sandbox, not the repository.
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init).sorted()
        #expect(status == ["?? environments/", "?? pipeops.yaml"], "only adopt's files: \(status)")
    }
}
