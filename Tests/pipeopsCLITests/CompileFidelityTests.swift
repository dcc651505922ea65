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

/// Python definitions compiled as the SDK runs them: a cache keyed by what the compile read,
/// definition-time AWS answered offline, the same definition on every clone, a clean tree.
/// The builders are this suite's own, in the shapes real repositories use.
@Suite(.serialized) struct CompileFidelityTests {
    typealias Counting = PythonDefinitionTests.CountingPython

    /// The python template with `definition.py` replaced by `builder` (and extra files).
    static func product(_ builder: String, files: [String: String] = [:]) throws -> Scratch {
        let product = try PythonDefinitionTests.product()
        product.write("pipeline/definition.py", builder)
        for (path, text) in files { product.write(path, text) }
        try product.git("add", "-A")
        try product.git("commit", "-q", "-m", "builder")
        return product
    }

    func pipeops(_ arguments: [String], in product: Scratch, python: String = PythonDefinitionTests.sdkPython) throws -> CLI.Result {
        try pipeops(arguments, at: product.path, python: python)
    }

    func pipeops(_ arguments: [String], at path: String, python: String = PythonDefinitionTests.sdkPython) throws -> CLI.Result {
        try CLI.run(arguments, in: path, environment: ["PIPEOPS_PYTHON": python], unsettingPrefixes: ["AWS_"])
    }

    static func compiled(_ product: Scratch) throws -> String { try compiled(at: product.path) }

    static func compiled(at path: String) throws -> String {
        try String(contentsOfFile: path + "/.pipeops/compiled/definition.json", encoding: .utf8)
    }

    static let header = """
        import os, time, uuid
        import yaml
        from sagemaker.workflow.fail_step import FailStep
        from sagemaker.workflow.parameters import ParameterString
        from sagemaker.workflow.pipeline import Pipeline
        from sagemaker.workflow.pipeline_context import PipelineSession


        """

    /// A config-driven builder: the YAML conf defines the pipeline, not Python.
    @Test func editingTheConfRecompilesAndACommentInPipeopsYamlDoesNot() throws {
        let product = try Self.product(
            Self.header + """
                def get_pipeline(name, region, account, role, bucket):
                    with open(os.path.join(os.path.dirname(__file__), "conf", "pipeline.yaml")) as handle:
                        conf = yaml.safe_load(handle)
                    stop = FailStep(name=conf["step"], error_message=conf["message"])
                    return Pipeline(name=name, steps=[stop], sagemaker_session=PipelineSession())
                """, files: ["pipeline/conf/pipeline.yaml": "step: Stop\nmessage: first\n"])
        let python = try Counting()
        #expect(try pipeops(["compile"], in: product, python: python.path).status == 0)
        #expect(try Self.compiled(product).contains("\"first\""))
        product.write("pipeline/conf/pipeline.yaml", "step: Stop\nmessage: second\n")
        let edited = try pipeops(["compile"], in: product, python: python.path)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(python.starts == 2, "the conf is part of the key")
        #expect(try Self.compiled(product).contains("\"second\""))
        let manifest = product.path + "/pipeops.yaml"
        try (try String(contentsOfFile: manifest, encoding: .utf8) + "# a comment changes nothing the compile reads\n").write(
            toFile: manifest, atomically: true, encoding: .utf8)
        let current = try pipeops(["compile"], in: product, python: python.path)
        #expect(current.status == 0 && current.stderr.contains("up to date"), "\(current.stderr)")
        #expect(python.starts == 2, "a pipeops.yaml comment recompiles nothing")
    }

    /// LambdaStep(Lambda(script=…)) deploys the function while the definition is written;
    /// get_execution_role() needs an assumed role and IAM GetRole.
    @Test func lambdaDeploysAndExecutionRoleLookupsAreAnsweredOffline() throws {
        let product = try Self.product(
            Self.header + """
                import boto3
                from sagemaker import get_execution_role
                from sagemaker.lambda_helper import Lambda
                from sagemaker.workflow.lambda_step import LambdaStep


                def get_pipeline(name, region, account, role, bucket):
                    session = PipelineSession()
                    execution_role = get_execution_role(session)
                    looked_up = boto3.client("iam").get_role(RoleName="churn-model-pipeline")["Role"]["Arn"]
                    notify = LambdaStep(
                        name="Notify",
                        lambda_func=Lambda(function_name="churn-notify", execution_role_arn=looked_up,
                                           script=os.path.join(os.path.dirname(__file__), "handler.py"), handler="handler.run",
                                           session=session),
                        inputs={"role": execution_role})
                    return Pipeline(name=name, steps=[notify], sagemaker_session=session)
                """, files: ["pipeline/handler.py": "def run(event, context):\n    return {}\n"])
        let result = try pipeops(["compile"], in: product)
        #expect(result.status == 0, "\(result.stderr)")
        let definition = try Self.compiled(product)
        #expect(definition.contains(":123456789012:function:churn-notify"), "\(definition)")
        #expect(definition.contains("arn:aws:iam::123456789012:role/"), "the execution role was found: \(definition)")
        #expect(FileManager.default.fileExists(atPath: product.path + "/.pipeops/s3/pipeops-lambda/churn-notify.zip"), "code captured")
    }

    /// A call pipeops does not answer is a ClientError (the SDK's fallbacks catch those) that
    /// names the call and how to answer it; an answer in pipeops.yaml is used.
    @Test func unansweredCallsAreClientErrorsAndAnswersComeFromPipeopsYaml() throws {
        let builder =
            Self.header + """
                import boto3


                def get_pipeline(name, region, account, role, bucket):
                    sm = boto3.client("sagemaker")
                    packages = sm.list_model_packages(ModelPackageGroupName="churn")["ModelPackageSummaryList"]
                    version = sm.describe_image_version(ImageName="flow")["ImageUri"]
                    stop = FailStep(name="Stop", error_message="%d packages, %s" % (len(packages), version))
                    return Pipeline(name=name, steps=[stop], sagemaker_session=PipelineSession())
                """
        let product = try Self.product(builder)
        let refused = try pipeops(["compile"], in: product)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("botocore.exceptions.ClientError"), "\(refused.stderr)")
        #expect(refused.stderr.contains("sagemaker.DescribeImageVersion"), "\(refused.stderr)")
        #expect(refused.stderr.contains("pipeline.offline"), "\(refused.stderr)")
        let manifest = product.path + "/pipeops.yaml"
        try (try String(contentsOfFile: manifest, encoding: .utf8)).replacingOccurrences(
            of: "  compileTimeout: 300\n",
            with:
                "  compileTimeout: 300\n  offline:\n    sagemaker.DescribeImageVersion: { ImageUri: \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/flow:7\" }\n"
        ).write(toFile: manifest, atomically: true, encoding: .utf8)
        let answered = try pipeops(["compile"], in: product)
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(try Self.compiled(product).contains("0 packages, 123456789012.dkr.ecr.eu-west-1.amazonaws.com/flow:7"))
    }

    /// Timestamped names, uuid4s and the checkout's path once gave every clone its own hash.
    @Test func twoClonesAtDifferentPathsAndTimesCompileTheSameDefinition() throws {
        let product = try Self.product(
            Self.header + """
                def get_pipeline(name, region, account, role, bucket):
                    tag = "%s-%s" % (time.strftime("%Y%m%d%H%M%S"), uuid.uuid4().hex[:8])
                    stop = FailStep(name="Stop", error_message="run %s from %s at %d" % (tag, os.path.abspath(__file__), int(time.time())))
                    return Pipeline(name=name, steps=[stop], sagemaker_session=PipelineSession())
                """)
        #expect(try pipeops(["compile"], in: product).status == 0)
        let first = try Self.compiled(product)
        let clone = Scratch()
        let other = clone.path + "/elsewhere/deeper"
        _ = try runTool(["git", "clone", "-q", product.path, other], in: clone.path)
        Thread.sleep(forTimeInterval: 1.1) // a later wall clock, which the compile must not see
        let second = try pipeops(["compile"], at: other)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.compiled(at: other) == first)
        #expect(first.contains("from /pipeops/product/pipeline/definition.py"), "\(first)")
        #expect(!first.contains(product.path))
    }

    /// The SDK writes its repack helper next to a model's entry point; the tree stays clean.
    @Test func filesTheSDKWritesIntoTheTreeAreTakenOutAndTheTreeStaysClean() throws {
        let product = try Self.product(
            Self.header + """
                from sagemaker.model import Model
                from sagemaker.workflow.model_step import ModelStep


                def get_pipeline(name, region, account, role, bucket):
                    session = PipelineSession()
                    model_data = ParameterString(name="ModelData", default_value="s3://%s/model.tar.gz" % bucket)
                    model = Model(image_uri="%s.dkr.ecr.%s.amazonaws.com/serve:1" % (account, region), model_data=model_data,
                                  entry_point="inference.py", source_dir=os.path.join(os.path.dirname(__file__), "serve"),
                                  role=role, sagemaker_session=session)
                    make = ModelStep(name="Make", step_args=model.create(instance_type="ml.m5.large"))
                    return Pipeline(name=name, parameters=[model_data], steps=[make], sagemaker_session=session)
                """, files: ["pipeline/serve/inference.py": "def model_fn(model_dir):\n    return None\n"])
        let result = try pipeops(["compile"], in: product)
        #expect(result.status == 0, "\(result.stderr)")
        let status = try product.git("status", "--porcelain")
        #expect(status.isEmpty, "git status after compile: \(status)")
        let again = try pipeops(["compile"], in: product)
        #expect(!again.stderr.contains("compiling"), "the second compile finds it current: \(again.stderr)")
    }

    /// What still differs between two compiles is named, field by field, at definition.py's line.
    @Test func checkReproducibleNamesTheFieldThatDiffersAndPassesWhenNothingDoes() throws {
        let product = try Self.product(
            Self.header + """
                import datetime


                def get_pipeline(name, region, account, role, bucket):
                    steady = FailStep(name="Steady", error_message="built %s" % time.strftime("%Y-%m-%d"))
                    drifting = FailStep(
                        name="Drifting",
                        error_message="built at %s" % datetime.datetime.now().isoformat())
                    return Pipeline(name=name, steps=[steady, drifting], sagemaker_session=PipelineSession())
                """)
        let check = try pipeops(["compile", "--check-reproducible"], in: product)
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let lines = check.stdout.split(separator: "\n")
        #expect(lines.count == 1, "\(check.stdout)")
        let builder = try String(contentsOfFile: product.path + "/pipeline/definition.py", encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(builder.firstIndex { $0.contains("name=\"Drifting\"") }) + 1
        #expect(lines.first?.contains("is named at pipeline/definition.py:\(line))") == true, "\(check.stdout)")
        #expect(lines.first?.contains("Steps[1].Arguments.ErrorMessage") == true, "\(check.stdout)")
        #expect(lines.first?.contains("[reproducible-compile]") == true)

        product.write(
            "pipeline/definition.py",
            Self.header + """
                def get_pipeline(name, region, account, role, bucket):
                    stop = FailStep(name="Stop", error_message="%s %s %s" % (time.strftime("%Y%m%d%H%M%S"), uuid.uuid4(), __file__))
                    return Pipeline(name=name, steps=[stop], sagemaker_session=PipelineSession())
                """)
        let steady = try pipeops(["compile", "--check-reproducible"], in: product)
        #expect(steady.status == 0, "\(steady.stdout)\(steady.stderr)")
        #expect(steady.stderr.contains("reproducible: a copy of the product at another path compiles to the same bytes"))
    }

    @Test func compilingAJSONProductIsNothingToDo() throws {
        let product = try SageMakerCommandTests.product()
        let result = try CLI.run(["compile"], in: product.path)
        #expect(result.status == 0)
        #expect(result.stderr.contains("need no compile; nothing to do"), "\(result.stderr)")
    }

    /// One public repository committed AWS session credentials in its pipeline script.
    @Test func credentialsInAPythonDefinitionAreErrorsShownRedacted() throws {
        let secret = "Zq8v" + String(repeating: "x3Kp", count: 9)
        let token = "IQoJ" + String(repeating: "b3JpZ2luX2VjEDga", count: 8)
        let product = try Self.product(
            Self.header + """
                import boto3

                session = boto3.Session(aws_access_key_id="AKIAQ3VNP2ZR7TX4LWHD",
                                        aws_secret_access_key="\(secret)",
                                        aws_session_token="\(token)")


                def get_pipeline(name, region, account, role, bucket):
                    return Pipeline(name=name, steps=[FailStep(name="Stop", error_message="x")], sagemaker_session=PipelineSession())
                """)
        let lint = try pipeops(["lint"], in: product)
        #expect(lint.status == 1)
        let found = lint.stdout.split(separator: "\n").filter { $0.contains("[secrets-in-repository]") }
        #expect(found.count == 3, "\(lint.stdout)")
        #expect(found.first?.hasPrefix("pipeline/definition.py:10:") == true, "\(lint.stdout)")
        for value in ["AKIAQ3VNP2ZR7TX4LWHD", secret, token] { #expect(!lint.stdout.contains(value) && !lint.stderr.contains(value)) }
    }

    /// "get_pipeline failed" was printed for an import error; the help text showed backslashes.
    @Test func anImportErrorSaysSoAndTheHelpReadsCleanly() throws {
        let product = try Self.product("import pipeops_no_such_module\n\n\ndef get_pipeline(**kwargs):\n    pass\n")
        let result = try pipeops(["compile"], in: product)
        #expect(result.status == 2)
        #expect(result.stderr.contains("importing the file raised an exception"), "\(result.stderr)")
        #expect(result.stderr.contains("ModuleNotFoundError"))
        #expect(!result.stderr.contains("get_pipeline failed"))
        let help = try CLI.run(["compile", "--help"])
        #expect(help.status == 0)
        #expect(!help.stdout.split(separator: "\n").contains { $0.hasSuffix("\\") || $0 == "\\" }, "\(help.stdout)")
        #expect(help.stdout.contains("--check-reproducible"))
    }

    // MARK: Entry points as repositories write them

    static func setDefinition(_ product: Scratch, _ entry: String, extra: String = "") throws {
        let manifest = product.path + "/pipeops.yaml"
        try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(
            of: "  definition: pipeline/definition.py", with: "  definition: \(entry)\(extra)"
        ).write(toFile: manifest, atomically: true, encoding: .utf8)
    }

    static let stop = "Pipeline(name=name, steps=[FailStep(name=\"Stop\", error_message=message)], sagemaker_session=PipelineSession())"

    @Test(arguments: [
        (
            "pipeline/build.py:create_pipeline",
            "def create_pipeline(name, region, account, role, bucket):\n    message = 'function'\n    return \(stop)\n", "function"
        ),
        (
            "pipeline/build.py:TabularPipeline.construct_pipeline",
            "class TabularPipeline:\n    def __init__(self, name, region, account, role, bucket):\n        self.name = name\n\n    def construct_pipeline(self):\n        name, message = self.name, 'class'\n        return \(stop)\n",
            "class"
        ),
        (
            "pipeline/build.py:pipeline",
            "name, message = 'churn-model', 'module level'\npipeline = \(stop)\npipeline.upsert(role_arn='arn:aws:iam::123456789012:role/r')\n",
            "module level"
        ),
    ])
    func builderFunctionsClassesAndModuleLevelScriptsCompile(_ entry: String, _ body: String, _ message: String) throws {
        let product = try Self.product(Self.header + "\n")
        product.write("pipeline/build.py", Self.header + body)
        try Self.setDefinition(product, entry)
        let result = try pipeops(["compile"], in: product)
        #expect(result.status == 0, "\(entry): \(result.stderr)")
        #expect(try Self.compiled(product).contains("\"\(message)\""), "\(entry)")
    }

    /// SageMaker Projects seed code: a module entry whose imports are rooted at the repository,
    /// and a builder that reads a variable.
    @Test func aModuleEntryImportsFromTheRepositoryRootAndReadsItsVariables() throws {
        let product = try Self.product(Self.header + "\n")
        product.write("pipelines/__init__.py", "")
        product.write("pipelines/abalone/__init__.py", "")
        product.write("pipelines/abalone/messages.py", "TEXT = 'rooted at the repository'\n")
        product.write(
            "pipelines/abalone/pipeline.py",
            Self.header
                + "from pipelines.abalone.messages import TEXT\n\n\ndef get_pipeline(name, region, account, role, bucket):\n    message = TEXT + ' ' + os.environ['SMP_STAGE']\n    return \(Self.stop)\n"
        )
        try Self.setDefinition(product, "pipelines.abalone.pipeline:get_pipeline", extra: "\n  variables: { SMP_STAGE: dev }")
        let lint = try pipeops(["compile"], in: product)
        #expect(lint.status == 0, "\(lint.stderr)")
        #expect(try Self.compiled(product).contains("rooted at the repository dev"))
        let missing = try pipeops(["compile"], in: product)
        #expect(missing.stderr.contains("up to date"), "\(missing.stderr)")
        product.write("pipelines/abalone/messages.py", "TEXT = 'edited'\n")
        #expect(try pipeops(["compile"], in: product).status == 0)
        #expect(try Self.compiled(product).contains("edited dev"), "an imported module is part of the key")
    }
}
