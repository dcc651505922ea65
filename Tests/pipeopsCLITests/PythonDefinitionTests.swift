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

/// Products whose definition is Python (SageMaker SDK): compiled offline, with every AWS_*
/// variable unset, then linted, run, rendered and promoted like any other.
@Suite(.serialized) struct PythonDefinitionTests {
    /// The SDK v2 venv install-deps.sh makes (cached outside the repository).
    static let sdkPython: String = {
        let cache =
            ProcessInfo.processInfo.environment["PIPEOPS_SDK_V2"]
            ?? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cache/pipeops/venvs/sdk-v2"
        return cache + "/bin/python"
    }()

    /// A wrapper interpreter that counts its starts, so a test can tell whether Python ran.
    final class CountingPython {
        let scratch = Scratch()
        var path: String { scratch.path + "/python" }
        var log: String { scratch.path + "/starts.log" }
        init() throws {
            scratch.write(
                "python", "#!/bin/sh\necho start >> '\(scratch.path)/starts.log'\nexec '\(PythonDefinitionTests.sdkPython)' \"$@\"\n")
            #expect(chmod(path, 0o755) == 0)
        }
        var starts: Int { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count }
    }

    static func product() throws -> Scratch {
        try #require(FileManager.default.isExecutableFile(atPath: sdkPython), "run scripts/install-deps.sh: no SDK venv at \(sdkPython)")
        return try SageMakerCommandTests.product(template: "python")
    }

    func pipeops(_ arguments: [String], in product: Scratch, python: String) throws -> CLI.Result {
        try CLI.run(arguments, in: product.path, environment: ["PIPEOPS_PYTHON": python], unsettingPrefixes: ["AWS_"])
    }

    @Test func thePythonTemplateCompilesOfflineLintsRunsRendersAndPromotes() throws {
        let product = try Self.product()
        let python = try CountingPython()
        let compile = try pipeops(["compile"], in: product, python: python.path)
        #expect(compile.status == 0, "\(compile.stderr)")
        #expect(compile.stderr.contains("compiled pipeline/definition.py → .pipeops/compiled/definition.json"), "\(compile.stderr)")
        #expect(compile.stderr.contains("3 uploads captured"), "\(compile.stderr)")
        #expect(python.starts == 1)

        // A second lint with unchanged sources does not start Python.
        let lint = try pipeops(["lint", "--format", "json"], in: product, python: python.path)
        #expect(lint.status == 0, "\(lint.stdout)")
        #expect(lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)")
        #expect(python.starts == 1, "lint reused the compiled definition")

        // The SDK's uploads are in the local S3 at the URIs the definition names; runs use them.
        let definition = try String(contentsOfFile: product.path + "/.pipeops/compiled/definition.json", encoding: .utf8)
        let captured = (FileManager.default.subpaths(atPath: product.path + "/.pipeops/s3") ?? []).filter { $0.hasSuffix(".py") }
        #expect(captured.count == 3, "\(captured)")
        for file in captured { #expect(definition.contains("s3://\(file)"), "\(file) is named by the definition") }
        let run = try pipeops(["run", "--env", "dev", "--format", "json"], in: product, python: python.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"name\" : \"RegisterModel-RegisterModel\""), "\(run.stdout)")
        let strict = try pipeops(["run", "--env", "dev", "--param", "AccuracyThreshold=0.99"], in: product, python: python.path)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("model accuracy is below the threshold of 0.99") || strict.stdout.contains("below the threshold"))

        // Render three environments; staging and prod pin the image; the structure is one.
        let pin = "111111111111.dkr.ecr.us-east-1.amazonaws.com/churn-model@sha256:" + String(repeating: "ab", count: 32)
        var structures: Set<String> = []
        for environment in ["dev", "staging", "prod"] {
            let render = try pipeops(["render", "--env", environment, "--image", pin], in: product, python: python.path)
            #expect(render.status == 0, "\(environment): \(render.stderr)")
            let request = try DocumentLoader.parse(data: Data(render.stdout.utf8), path: "r.json").root
            for tag in request["Tags"]?.elements ?? [] where tag["Key"]?.string == "pipeops:structure-sha256" {
                structures.insert(tag["Value"]?.string ?? "")
            }
        }
        #expect(structures.count == 1)
        #expect(try pipeops(["tag", "1.0.0"], in: product, python: python.path).status == 0)
        let promote = try pipeops(["promote", "--to", "dev"], in: product, python: python.path)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(python.starts == 1, "nothing changed, so nothing recompiled")

        // An edit to the Python source compiles again, and the hashes are stable across compiles.
        let hash = { try String(contentsOfFile: product.path + "/.pipeops/compiled/definition.json", encoding: .utf8) }
        let before = try hash()
        let forced = try pipeops(["compile", "--force"], in: product, python: python.path)
        #expect(forced.status == 0)
        #expect(try hash() == before, "two compiles of the same sources give the same bytes")
        let file = product.path + "/pipeline/definition.py"
        try (try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "max_run=3600", with: "max_run=7200")).write(
            toFile: file, atomically: true, encoding: .utf8)
        let changed = try pipeops(["lint"], in: product, python: python.path)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(python.starts == 3)
        #expect(try hash().contains("\"MaxRuntimeInSeconds\": 7200"))
    }

    @Test func aFailingGetPipelineShowsTheTracebackAndExitsTwo() throws {
        let product = try Self.product()
        let file = product.path + "/pipeline/definition.py"
        try
            (try String(contentsOfFile: file, encoding: .utf8)
            + "\n\ndef get_pipeline(**kwargs):\n    raise ValueError('no role for ' + kwargs['name'])\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try pipeops(["lint"], in: product, python: Self.sdkPython)
        #expect(result.status == 2)
        #expect(result.stderr.contains("get_pipeline failed (Python traceback, last frames)"), "\(result.stderr)")
        #expect(result.stderr.contains("ValueError: no role for churn-model"), "\(result.stderr)")
        #expect(result.stderr.contains("definition.py\", line"), "a frame of the product's file: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: product.path + "/.pipeops/compiled/definition.json"), "nothing half-written")
    }

    @Test func aMissingSDKOrInterpreterSaysWhatToInstall() throws {
        let product = try Self.product()
        let bare = Scratch() // a venv-less interpreter stand-in: python3 with an empty path for packages
        bare.write("python", "#!/bin/sh\nexec /usr/bin/python3 -I -S \"$@\"\n")
        #expect(chmod(bare.path + "/python", 0o755) == 0)
        let missingSDK = try pipeops(["compile"], in: product, python: bare.path + "/python")
        #expect(missingSDK.status == 2)
        #expect(missingSDK.stderr.contains("pip install 'sagemaker<3'"), "\(missingSDK.stderr)")
        let missingPython = try pipeops(["compile"], in: product, python: "/nonexistent/bin/python")
        #expect(missingPython.status == 2)
        #expect(missingPython.stderr.contains("does not exist or is not executable"), "\(missingPython.stderr)")
    }

    @Test func aCompileOverItsTimeLimitIsStopped() throws {
        let product = try Self.product()
        let file = product.path + "/pipeline/definition.py"
        try (try String(contentsOfFile: file, encoding: .utf8) + "\n\nimport time\ntime.sleep(30)\n").write(
            toFile: file, atomically: true, encoding: .utf8)
        let manifest = product.path + "/pipeops.yaml"
        try
            (try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(
                of: "compileTimeout: 300", with: "compileTimeout: 2"))
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try pipeops(["compile"], in: product, python: Self.sdkPython)
        #expect(result.status == 2)
        #expect(result.stderr.contains("took longer than 2 s and was stopped"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
    }
}

extension PythonDefinitionTests {
    /// The same contract with SDK v3, whose classes live in sagemaker.mlops.workflow and
    /// sagemaker.core.workflow (Tests/Fixtures/python-v3).
    @Test func aV3DefinitionCompilesLintsAndRunsBothBranches() throws {
        let v3 =
            (ProcessInfo.processInfo.environment["PIPEOPS_SDK_V3"]
                ?? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cache/pipeops/venvs/sdk-v3") + "/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: v3), "run scripts/install-deps.sh: no SDK v3 venv at \(v3)")
        let scratch = Scratch()
        let source = CLI.repository.appendingPathComponent("Tests/Fixtures/python-v3")
        try FileManager.default.copyItem(at: source, to: scratch.url.appendingPathComponent("product"))
        let product = scratch.path + "/product"
        let env = ["PIPEOPS_PYTHON": v3]
        let compile = try CLI.run(["compile"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(compile.status == 0, "\(compile.stderr)")
        #expect(compile.stderr.contains("sagemaker 3."), "\(compile.stderr)")
        let lint = try CLI.run(["lint"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        let pass = try CLI.run(["run"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        let fail = try CLI.run(["run", "--param", "Score=0.1"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(fail.status == 1)
        #expect((fail.stdout + fail.stderr).contains("score 0.1 is below 0.5"), "\(fail.stdout)\(fail.stderr)")
    }
}

extension PythonDefinitionTests {
    /// A developer's own SageMaker SDK defaults (~/.config/sagemaker/config.yaml) would change
    /// what the SDK builds on that machine only; the compile reads none, so every machine
    /// compiles the same definition.
    @Test func theUsersSDKDefaultsDoNotReachTheCompile() throws {
        let product = try Self.product()
        let home = Scratch()
        home.write(
            ".config/sagemaker/config.yaml",
            "SchemaVersion: '1.0'\nSageMaker:\n  ProcessingJob:\n    NetworkConfig:\n      EnableNetworkIsolation: true\n")
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": home.path + "/.config"]
        // The control: the SDK itself finds and applies this file where it runs.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: Self.sdkPython)
        probe.arguments = ["-c", "from sagemaker.config import load_sagemaker_config; print(load_sagemaker_config())"]
        probe.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        probe.standardOutput = output
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        let loaded = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        #expect(loaded.contains("'EnableNetworkIsolation': True"), "\(loaded)")

        let compile = try CLI.run(
            ["compile"], in: product.path, environment: environment.merging(["PIPEOPS_PYTHON": Self.sdkPython]) { _, new in new },
            unsettingPrefixes: ["AWS_"])
        #expect(compile.status == 0, "\(compile.stderr)")
        let definition = try String(contentsOfFile: product.path + "/.pipeops/compiled/definition.json", encoding: .utf8)
        #expect(definition.contains("\"ProcessingResources\""), "the definition has its processing steps")
        #expect(!definition.contains("EnableNetworkIsolation"), "\(definition.prefix(400))")
    }
}
