import Foundation
import PipeOpsTestSupport
import Testing

/// A repository that holds two pipelines (training and batch inference) sharing its
/// environment files: lint covers both, every command that works on one takes --pipeline and
/// says so when it is missing.
@Suite struct MultiPipelineTests {
    /// `passing`: each pipeline's one step is a Condition that holds (runs succeed), not a Fail step.
    static func product(passing: Bool = false) throws -> Scratch {
        let scratch = Scratch()
        try scratch.git("init", "-q", "-b", "main")
        try scratch.git("config", "user.name", "CI")
        try scratch.git("config", "user.email", "ci@example.com")
        scratch.write(
            "pipeops.yaml",
            """
            version: 1
            pipelines:
              training: { name: churn-training, definition: pipelines/training.yaml, roleArn: "arn:aws:iam::111111111111:role/r" }
              inference: { name: churn-inference, definition: pipelines/inference.yaml, roleArn: "arn:aws:iam::111111111111:role/r" }
            environments:
              dev: { parameters: environments/dev.yaml }
              prod: { parameters: environments/prod.yaml }

            """)
        // Each pipeline declares its own parameter; the environment files set both.
        scratch.write(
            "pipelines/training.yaml",
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Epochs, Type: Integer, DefaultValue: 1 }
            Steps:
            \(passing ? gate("Epochs") : "  - { Name: Train, Type: Fail, Arguments: { ErrorMessage: { \"Std:Join\": { On: \" \", Values: [epochs, { Get: Parameters.Epochs }] } } } }")

            """)
        scratch.write(
            "pipelines/inference.yaml",
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: BatchSize, Type: Integer, DefaultValue: 8 }
            Steps:
            \(passing ? gate("BatchSize") : "  - { Name: Score, Type: Fail, Arguments: { ErrorMessage: { \"Std:Join\": { On: \" \", Values: [batch, { Get: Parameters.BatchSize }] } } } }")

            """)
        scratch.write(".gitignore", ".pipeops/\n")
        scratch.write("environments/dev.yaml", "parameters: { Epochs: 2, BatchSize: 16 }\n")
        scratch.write("environments/prod.yaml", "parameters: { Epochs: 20, BatchSize: 64 }\n")
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "two pipelines")
        return scratch
    }

    static func gate(_ parameter: String) -> String {
        "  - { Name: Gate, Type: Condition, Arguments: { Conditions: [ { Type: GreaterThanOrEqualTo, LeftValue: { Get: Parameters.\(parameter) }, RightValue: 1 } ], IfSteps: [], ElseSteps: [] } }"
    }

    /// A release moves every pipeline at once: one tag naming each one's hashes, each pipeline's
    /// evidence checked, one promotion record with every pipeline's hashes.
    @Test func aReleaseAndItsPromotionCoverEveryPipelineInOneRecord() throws {
        let product = try Self.product(passing: true)
        let tag = try CLI.run(["tag", "0.1.0"], in: product.path)
        #expect(tag.status == 0, "tag needs no --pipeline: \(tag.stderr)")
        let message = try product.git("tag", "-l", "-n20", "v0.1.0")
        #expect(
            message.contains("pipeline training: pipelines/training.yaml")
                && message.contains("pipeline inference: pipelines/inference.yaml"), "\(message)")
        _ = try CLI.run(["run", "--env", "dev", "--pipeline", "training"], in: product.path)
        let half = try CLI.run(["promote", "--to", "prod"], in: product.path)
        #expect(half.status == 1, "inference never ran in dev: \(half.stdout)")
        #expect(half.stdout.contains("✔ previous-environment training: dev ran structure"), "\(half.stdout)")
        #expect(half.stdout.contains("✘ previous-environment inference: dev"), "\(half.stdout)")
        _ = try CLI.run(["run", "--env", "dev", "--pipeline", "inference"], in: product.path)
        let promoted = try CLI.run(["promote", "--to", "prod"], in: product.path)
        #expect(promoted.status == 0, "\(promoted.stdout)\(promoted.stderr)")
        #expect(promoted.stdout.contains("promoted v0.1.0 to prod (2 pipelines, one record)"), "\(promoted.stdout)")
        let note = try product.git("notes", "--ref=pipeops", "show", "HEAD")
        let records = try #require(
            (try JSONSerialization.jsonObject(with: Data(note.utf8)) as? [String: Any])?["records"] as? [[String: Any]])
        let prod = records.filter { $0["environment"] as? String == "prod" }
        #expect(prod.count == 1, "one record for the release in prod: \(prod)")
        let parts = try #require(prod.first?["pipelines"] as? [String: [String: Any]])
        #expect(Set(parts.keys) == ["training", "inference"])
        for key in ["training", "inference"] {
            let render = try CLI.run(
                ["render", "--env", "prod", "--pipeline", key, "-o", product.path + "/.pipeops/\(key).json"], in: product.path)
            let structure = render.stderr.components(separatedBy: "structure sha256 ").last?.prefix(12) ?? ""
            #expect(
                !structure.isEmpty && (parts[key]?["structureSha256"] as? String)?.hasPrefix(structure) == true, "\(key): \(render.stderr)")
        }
        let runs = records.filter { $0["kind"] as? String == "smoke" }.compactMap { $0["pipeline"] as? String }
        #expect(runs.sorted() == ["inference", "training"], "each run names its pipeline: \(runs)")
    }

    @Test func lintCoversEveryPipelineAndTheSharedEnvironments() throws {
        let product = try Self.product()
        let clean = try CLI.run(["lint", "--format", "json"], in: product.path)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        // pipeops.yaml, both definitions and the two shared environment files, each once.
        #expect((report["summary"] as? [String: Any])?["files"] as? Int == 5, "\(clean.stdout)")
        // A defect in the second pipeline is found without naming it.
        product.write(
            "pipelines/inference.yaml",
            "Version: \"2020-12-01\"\nSteps:\n  - { Name: Score, Type: Fail, DependsOn: [Prep], Arguments: { ErrorMessage: x } }\n")
        product.write("environments/dev.yaml", "parameters: { Epochs: 2 }\n")
        let broken = try CLI.run(["lint"], in: product.path)
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("pipelines/inference.yaml:3:") && broken.stdout.contains("[unknown-step]"), "\(broken.stdout)")
        // A value no pipeline declares is an error naming the pipelines; one pipeline's own value is not.
        product.write("environments/prod.yaml", "parameters: { Epochs: 20, Epoch: 3 }\n")
        let unknown = try CLI.run(["lint"], in: product.path)
        #expect(
            unknown.stdout.contains(
                "environments/prod.yaml:1:27: error: environment 'prod' sets 'Epoch', which none of the product's pipelines (training, inference) declares"
            ), "\(unknown.stdout)")
        #expect(!unknown.stdout.contains("'BatchSize'"))
        // One pipelineName for an environment would give both pipelines one name: refused.
        product.write("environments/dev.yaml", "parameters: { Epochs: 2 }\npipelineName: churn\n")
        let named = try CLI.run(["lint"], in: product.path)
        #expect(
            named.stdout.contains(
                "environments/dev.yaml:2:15: error: environment 'dev' sets pipelineName, but the product has several pipelines"),
            "\(named.stdout)")
        // --pipeline lints one.
        let one = try CLI.run(["lint", "--pipeline", "training"], in: product.path)
        #expect(one.status == 1, "the unknown value is still an error for training: \(one.stdout)")
        #expect(!one.stdout.contains("pipelines/inference.yaml"), "only training's definition: \(one.stdout)")
        #expect(one.stderr.contains("in 4 files"), "\(one.stderr)")
    }

    @Test func commandsOnOnePipelineTakePipelineAndSaySoWhenItIsMissing() throws {
        let product = try Self.product()
        for command in [["render", "--env", "dev"], ["run"], ["version"], ["graph", "--waves"]] {
            let missing = try CLI.run(command, in: product.path)
            #expect(missing.status == 2, "\(command): \(missing.stderr)")
            #expect(
                missing.stderr.contains("pipeops.yaml defines 2 pipelines (training, inference): name one with --pipeline NAME"),
                "\(command): \(missing.stderr)")
        }
        let typo = try CLI.run(["render", "--env", "dev", "--pipeline", "inferance"], in: product.path)
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("no pipeline 'inferance'") && typo.stderr.contains("did you mean 'inference'"), "\(typo.stderr)")

        // Each pipeline renders under its own name, with the values it declares from the shared file.
        let training = try CLI.run(["render", "--env", "dev", "--pipeline", "training"], in: product.path)
        let inference = try CLI.run(["render", "--env", "dev", "--pipeline", "inference"], in: product.path)
        #expect(training.status == 0 && inference.status == 0, "\(training.stderr)\(inference.stderr)")
        let left = try #require(try JSONSerialization.jsonObject(with: Data(training.stdout.utf8)) as? [String: Any])
        let right = try #require(try JSONSerialization.jsonObject(with: Data(inference.stdout.utf8)) as? [String: Any])
        #expect(left["PipelineName"] as? String == "churn-training")
        #expect(right["PipelineName"] as? String == "churn-inference")
        let definition = try #require((right["PipelineDefinition"] as? String).map { Data($0.utf8) })
        let parameters = try #require(
            (try JSONSerialization.jsonObject(with: definition) as? [String: Any])?["Parameters"] as? [[String: Any]])
        #expect(parameters.map { $0["Name"] as? String } == ["BatchSize"])
        #expect(parameters.first?["DefaultValue"] as? Int == 16)

        // A local run of one pipeline with the environment's values (its Fail step says them).
        let run = try CLI.run(["run", "--env", "dev", "--pipeline", "training", "--format", "json"], in: product.path)
        #expect(run.status == 1, "the pipeline's one step is a Fail step: \(run.stderr)")
        #expect(run.stdout.contains("epochs 2"), "\(run.stdout)")
        // The product's executions are listed whichever pipeline ran them.
        let executions = try CLI.run(["executions", "list"], in: product.path)
        #expect(executions.status == 0, "\(executions.stderr)")
        #expect(executions.stdout.contains("failed"), "\(executions.stdout)")
    }
}
