import Foundation
import PipeOpsTestSupport
import Testing

@Suite struct InitCommandTests {
    static func scaffold(_ extra: [String] = []) throws -> Scratch {
        let scratch = Scratch()
        let result = try CLI.run(
            ["init", "product", "--name", "churn-model", "--account", "123456789012", "--region", "eu-west-1"] + extra, in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        return scratch
    }

    /// Both templates pass the same end-to-end test; the Python one compiles with the SDK venv.
    static let templates = ["default", "python"]
    static let pythonEnvironment = ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython]

    @Test(arguments: templates)
    func scaffoldLintsCleanRunsAndTakesTheQualityGate(_ template: String) throws {
        let scratch = try Self.scaffold(["--template", template])
        let product = scratch.path + "/product"
        let env = Self.pythonEnvironment
        let lint = try CLI.run(["lint", "--format", "json"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(lint.status == 0)
        let summary = try #require(
            (try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Int])
        // Day one is clean: the template's one :latest image (used by four steps) is a single info
        // while nothing has been promoted past dev (staging and prod pin one before they ship).
        #expect(summary == ["errors": 0, "warnings": 0, "infos": 1, "files": 5], "\(lint.stdout)")
        let findings = try #require(
            (try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["image-digest"])
        #expect((findings.first?["message"] as? String)?.contains("'Preprocess', 'Train', 'Evaluate'") == true, "\(lint.stdout)")
        let strict = try CLI.run(["lint", "--strict"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(strict.status == 0, "\(strict.stdout)\(strict.stderr)")

        let run = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let steps = try #require(record["steps"] as? [[String: Any]])
        func status(_ name: String) -> String? { steps.first { $0["name"] as? String == name }?["status"] as? String }
        #expect(record["status"] as? String == "Succeeded")
        #expect(status("QualityGate") == "Succeeded")
        #expect(steps.first { $0["name"] as? String == "QualityGate" }?["outcome"] as? Bool == true)
        #expect(status(template == "python" ? "RegisterModel-RegisterModel" : "RegisterModel") == "Succeeded")
        #expect(status("AccuracyTooLow") == "Skipped")

        // The second run serves every cacheable step from cache.
        let again = try CLI.run(["run", "--env", "dev", "--format", "json"], in: product, environment: env, unsettingPrefixes: ["AWS_"])
        let second = try #require(
            (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["steps"] as? [[String: Any]])
        let cached = second.filter { $0["cacheHit"] != nil }.compactMap { $0["name"] as? String }
        #expect(Set(cached) == ["Preprocess", "Train", "Evaluate"])
    }

    @Test(arguments: templates)
    func renderDiffAndExternalCheckersPass(_ template: String) throws {
        let scratch = try Self.scaffold(["--template", template])
        let product = scratch.path + "/product"
        let env = Self.pythonEnvironment
        for environment in ["dev", "staging", "prod"] {
            let render = try CLI.run(["render", "--env", environment], in: product, environment: env, unsettingPrefixes: ["AWS_"])
            #expect(render.status == 0, "\(environment): \(render.stderr)")
            #expect(render.stdout.contains("\"pipeops:environment\""))
        }
        let diff = try CLI.run(["diff", "staging", "prod"], in: product, environment: env)
        #expect(diff.status == 1)
        #expect(diff.stdout.contains("The pipeline structure is identical"))

        let cfn = try runTool(["cfn-lint", "infra/pipeline.yaml", "monitoring/alarms.yaml"], in: product)
        #expect(cfn.status == 0, "cfn-lint: \(cfn.output)")
        let workflows = try FileManager.default.contentsOfDirectory(atPath: product + "/.github/workflows").map {
            ".github/workflows/" + $0
        }
        #expect(workflows.count == 4)
        let schema = try runTool(["check-jsonschema", "--builtin-schema", "vendor.github-workflows"] + workflows, in: product)
        #expect(schema.status == 0, "check-jsonschema: \(schema.output)")
        let zizmor = try runTool(["zizmor", "--offline", "."], in: product)
        #expect(zizmor.status == 0, "zizmor: \(zizmor.output)")
        let reusable = CLI.repository.appendingPathComponent("workflows").path
        let reusableFiles = try FileManager.default.contentsOfDirectory(atPath: reusable).filter { $0.hasSuffix(".yml") }
        #expect(reusableFiles.count == 5)
        let reusableSchema = try runTool(["check-jsonschema", "--builtin-schema", "vendor.github-workflows"] + reusableFiles, in: reusable)
        #expect(reusableSchema.status == 0, "check-jsonschema: \(reusableSchema.output)")
        let reusableZizmor = try runTool(["zizmor", "--offline"] + reusableFiles, in: reusable)
        #expect(reusableZizmor.status == 0, "zizmor: \(reusableZizmor.output)")
    }

    @Test func dryRunWritesNothing() throws {
        let scratch = Scratch()
        let result = try CLI.run(["init", "p", "--name", "churn-model", "--dry-run"], in: scratch.path)
        #expect(result.status == 0)
        #expect(result.stdout.contains("create    pipeline/definition.yaml"))
        #expect(result.stdout.contains("create    .github/workflows/ci.yml"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/p"))
    }

    @Test func conflictsWithoutForceWriteNothingAndForceOverwrites() throws {
        let scratch = Scratch()
        scratch.write("p/pipeops.yaml", "# mine\n")
        let refused = try CLI.run(["init", "p", "--name", "churn-model"], in: scratch.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pipeops.yaml"))
        #expect(refused.stderr.contains("nothing was written"))
        #expect(try String(contentsOfFile: scratch.path + "/p/pipeops.yaml", encoding: .utf8) == "# mine\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/p/pipeline/definition.yaml"))
        let forced = try CLI.run(["init", "p", "--name", "churn-model", "--force"], in: scratch.path)
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: scratch.path + "/p/pipeops.yaml", encoding: .utf8).contains("name: churn-model"))
    }

    @Test func existingNonEmptyFolderKeepsUnrelatedFiles() throws {
        let scratch = Scratch()
        scratch.write("p/notes.md", "keep me\n")
        scratch.write("p/data/raw.csv", "a,b\n")
        let result = try CLI.run(["init", "p", "--name", "churn-model"], in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: scratch.path + "/p/notes.md", encoding: .utf8) == "keep me\n")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/p/pipeops.yaml"))
    }

    @Test func invalidNamesAreRefusedWithTheRule() throws {
        let scratch = Scratch()
        for name in ["churn_model", "-churn", "churn.model", ""] {
            let result = try CLI.run(["init", "p", "--name=\(name)"], in: scratch.path)
            #expect(result.status == 2, "\(name)")
            if !name.isEmpty { #expect(result.stderr.contains("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"), "\(name): \(result.stderr)") }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/p"))
    }

    @Test func symlinkOutOfTheFolderIsRefused() throws {
        let scratch = Scratch()
        let outside = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/p", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/p/pipeline", withDestinationPath: outside.path)
        let result = try CLI.run(["init", "p", "--name", "churn-model"], in: scratch.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("outside"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func listTemplates() throws {
        let result = try CLI.run(["init", "--list-templates"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("default"))
    }
}
