import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel
@testable import PipeOpsWorkspace

/// Opening a product: the one loader (`Workspace`), the pipeline it selects, the environment
/// values each pipeline takes, the lint settings every gate shares and the `.pipeops` layout.
@Suite struct WorkspaceTests {
    static func product() -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        directory.write(
            "pipeops.yaml",
            """
            version: 1
            pipelines:
              training: { name: churn-training, definition: training.yaml }
              inference: { name: churn-inference, definition: inference.yaml }
            environments:
              dev: { parameters: environments/dev.yaml }
            propertyFiles:
              Report: { sample: report.json }
            lint:
              disable: [image-digest]
              steps: { Train: { disable: [cache-without-expiry] } }

            """)
        directory.write(
            "training.yaml", "Version: \"2020-12-01\"\nParameters:\n  - { Name: Epochs, Type: Integer, DefaultValue: 1 }\nSteps: []\n")
        directory.write(
            "inference.yaml", "Version: \"2020-12-01\"\nParameters:\n  - { Name: BatchSize, Type: Integer, DefaultValue: 8 }\nSteps: []\n")
        directory.write("environments/dev.yaml", "parameters: { Epochs: 3, BatchSize: 32 }\npipelineName: ignored\n")
        directory.write("report.json", #"{"metrics": {"accuracy": 0.9}}"#)
        return directory
    }

    @Test func aWorkspaceOpensTheProductThroughThePipelineItNames() throws {
        let directory = Self.product()
        let training = try Workspace(directory: directory.path, pipeline: "training").context()
        #expect(training.manifest.selectedPipeline == "training")
        #expect(training.pipeline.parameters.map(\.name) == ["Epochs"])
        // Its name is found by key or by SageMaker name.
        #expect(try Workspace(directory: directory.path, pipeline: "churn-inference").product().manifest?.definition == "inference.yaml")
        #expect(throws: PipeOpsError.self) { try Workspace(directory: directory.path).context() }
        do {
            _ = try Workspace(directory: directory.path, pipeline: "trainig").product()
            Issue.record("an unknown pipeline opened")
        } catch {
            #expect("\(error.errorDescription ?? "")".contains("did you mean 'training'"))
        }
    }

    @Test func eachPipelineTakesTheSharedEnvironmentsValuesItDeclaresUnderItsOwnName() throws {
        let directory = Self.product()
        let training = try Workspace(directory: directory.path, pipeline: "training").context().environment(named: "dev")
        let inference = try Workspace(directory: directory.path, pipeline: "inference").context().environment(named: "dev")
        #expect(training.values.keys.sorted() == ["Epochs"])
        #expect(inference.values.keys.sorted() == ["BatchSize"])
        #expect(training.pipelineName == "churn-training" && inference.pipelineName == "churn-inference")
    }

    @Test func everyGateSharesTheManifestsLintSettings() throws {
        let directory = Self.product()
        let manifest = try #require(try Workspace(directory: directory.path, pipeline: "training").product().manifest)
        let settings = try manifest.lintSettings(display: DisplayPath(base: directory.path))
        #expect(settings.options.disabled == ["image-digest"])
        #expect(settings.options.disabledForStep == ["Train": ["cache-without-expiry"]])
        guard case .sample(let sample, let source)? = settings.samples["Report"] else {
            Issue.record("no sample for Report: \(settings.samples.keys)")
            return
        }
        #expect(source == "report.json" && sample["metrics"]?["accuracy"] != nil)
        directory.write("report.json", "{ broken")
        #expect(throws: PipeOpsError.self) { try manifest.lintSettings(display: DisplayPath(base: directory.path)) }
    }

    @Test func theStateLayoutIsOnePlaceAndCompilesArePerPipeline() throws {
        #expect(Layout.state("/p") == "/p/.pipeops")
        #expect(Layout.compiled("/p") == "/p/.pipeops/compiled")
        #expect(Layout.s3("/p") == "/p/.pipeops/s3")
        #expect(Layout.releases("/p") == "/p/.pipeops/releases")
        let directory = Self.product()
        let manifest = try #require(try Workspace(directory: directory.path, pipeline: "inference").product().manifest)
        #expect(PythonDefinition.cacheDirectory(manifest) == manifest.directory + "/.pipeops/compiled/pipelines/inference")
    }
}
