import Foundation
import PipeOpsTestSupport
import Testing

@Suite struct LintCommandTests {
    static let abalone = CLI.examples.appendingPathComponent("abalone.sdk.json").path

    static let broken = """
        Version: "2020-12-01"
        Steps:
          - { Name: Train, Type: Fail, DependsOn: [Prep], Arguments: { ErrorMessage: x } }
        """

    @Test func versionPrints() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func cleanSDKDefinitionExitsZero() throws {
        let result = try CLI.run(["lint", Self.abalone])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("0 errors"))
    }

    @Test func errorFindingsExitOneInCompilerFormat() throws {
        let scratch = Scratch()
        scratch.write("def.yaml", Self.broken)
        let result = try CLI.run(["lint", "def.yaml"], in: scratch.path)
        #expect(result.status == 1)
        #expect(result.stdout == "def.yaml:3:44: error: step 'Train' depends on unknown step 'Prep' (known: Train) [unknown-step]\n")
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test func jsonOutputFollowsTheContract() throws {
        let scratch = Scratch()
        scratch.write("def.yaml", Self.broken)
        let result = try CLI.run(["lint", "def.yaml", "--format", "json"], in: scratch.path)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let finding = try #require((object["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "unknown-step")
        #expect(finding["line"] as? Int == 3)
        #expect(finding["column"] as? Int == 44)
        #expect(finding["step"] as? String == "Train")
        #expect((object["summary"] as? [String: Int])?["errors"] == 1)
        #expect(result.stderr.isEmpty, "machine formats keep stderr clean")
    }

    @Test func strictFailsOnWarnings() throws {
        let scratch = Scratch()
        scratch.write(
            "def.yaml",
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Notify, Type: Lambda, FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f", CacheConfig: { Enabled: true }, Arguments: {} }
            """)
        #expect(try CLI.run(["lint", "def.yaml"], in: scratch.path).status == 0)
        #expect(try CLI.run(["lint", "def.yaml", "--strict"], in: scratch.path).status == 1)
    }

    @Test func ioAndUsageErrorsExitTwoWithOneLine() throws {
        let scratch = Scratch()
        for arguments in [
            ["lint", "missing.json"], ["lint", "."], ["lint", "--format", "xml", "x.json"], ["lint", "--no-such-flag"],
            ["lint", "--property-sample", "nofile"],
        ] {
            let result = try CLI.run(arguments, in: scratch.path)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        }
        let missing = try CLI.run(["lint", "missing.json"], in: scratch.path)
        #expect(
            missing.stderr == "pipeops: error: missing.json: no such file; check the path (it is resolved from the current directory)\n")
        let noManifest = try CLI.run(["lint"], in: scratch.path)
        #expect(noManifest.status == 2)
        #expect(noManifest.stderr.contains("no pipeops.yaml found"))
    }

    @Test func hostileFilesAreFindingsNotCrashes() throws {
        let scratch = Scratch()
        scratch.write("truncated.json", "{\"Version\": \"2020-12-01\", \"Steps\": [")
        scratch.write("deep.json", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
            let previous = i == 0 ? "a" : ["b", "c", "d", "e", "f", "g", "h"][i - 1]
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        scratch.write("bomb.yaml", bomb)
        for file in ["truncated.json", "deep.json", "bomb.yaml"] {
            let result = try CLI.run(["lint", file, "--format", "json"], in: scratch.path)
            #expect(result.status == 1, "\(file): \(result.stderr)")
            #expect(result.stdout.contains("\"rule\": \"syntax\""), "\(file): \(result.stdout)")
        }
    }

    @Test func manifestLintCoversEnvironmentFiles() throws {
        let scratch = Scratch()
        scratch.write(
            "pipeops.yaml",
            """
            version: 1
            pipeline: { name: churn-model, definition: pipeline/definition.yaml }
            environments:
              dev: { parameters: environments/dev.yaml }
              prod: { parameters: environments/prod.yaml, execute: false }
            lint: { disable: [parameter-required] }
            """)
        scratch.write(
            "pipeline/definition.yaml",
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: InstanceCount, Type: Integer, DefaultValue: 1 }
              - { Name: InputData, Type: String }
            Steps:
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { "Std:Join": { Values: [ { Get: Parameters.InstanceCount }, { Get: Parameters.InputData } ] } } }
            """)
        scratch.write("environments/dev.yaml", "parameters:\n  InstanceCount: 2\n  InputData: s3://b/dev\n")
        scratch.write("environments/prod.yaml", "parameters:\n  InstanceCont: 4\n  InputData: s3://b/prod\n")
        scratch.write("sub/dir/.keep", "")
        let result = try CLI.run(["lint"], in: scratch.url.appendingPathComponent("sub/dir").path)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "environments/prod.yaml:2:3: error: environment 'prod' sets unknown parameter 'InstanceCont'; did you mean 'InstanceCount'? [environment-parameter]"
            ),
            "\(result.stdout)")
        #expect(result.stderr.contains("in 4 files"))
    }

    @Test func rulesListsEveryRuleInEachFormat() throws {
        let json = try CLI.run(["rules", "--format", "json"])
        #expect(json.status == 0)
        let rules = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.count >= 40)
        #expect(rules.contains { $0["id"] as? String == "cache-without-expiry" && $0["severity"] as? String == "warning" })
        let markdown = try CLI.run(["rules", "--format", "markdown"])
        #expect(markdown.stdout.contains("## cycle"))
    }

    @Test func graphDrawsBranchesAndData() throws {
        let result = try CLI.run(["graph", Self.abalone])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("flowchart TD"))
        #expect(result.stdout.contains("|if true|"))
        #expect(result.stdout.contains("|data|"))
        let dot = try CLI.run(["graph", Self.abalone, "--format", "dot"])
        #expect(dot.stdout.hasPrefix("digraph pipeline {"))
    }
}

@Suite struct LintManifestScopeTests {
    /// pipeops.yaml's property-file samples describe its own definition, not any file linted from inside the product.
    @Test func manifestSamplesApplyOnlyToTheManifestsDefinition() throws {
        let scratch = Scratch()
        #expect(try CLI.run(["init", ".", "--name", "churn-model"], in: scratch.path).status == 0)
        let abalone = CLI.examples.appendingPathComponent("abalone.sdk.json").path
        let other = try CLI.run(["lint", abalone], in: scratch.path)
        #expect(other.status == 0, "\(other.stdout)")
        let own = try CLI.run(["lint", "pipeline/definition.yaml"], in: scratch.path)
        #expect(own.status == 0)
        let definition = scratch.path + "/pipeline/definition.yaml"
        let broken = try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(
            of: "Path: metrics.accuracy.value", with: "Path: metrics.acc.value")
        try broken.write(toFile: definition, atomically: true, encoding: .utf8)
        let caught = try CLI.run(["lint", "pipeline/definition.yaml"], in: scratch.path)
        #expect(caught.status == 1)
        #expect(caught.stdout.contains("[json-path-sample]"))
    }
}

@Suite struct TerminalColourTests {
    /// Colour only on a terminal, and never with NO_COLOR (script(1) gives the command a pty).
    @Test func colourFollowsTheTerminalAndNoColor() throws {
        let scratch = Scratch()
        scratch.write(
            "def.yaml",
            "Version: \"2020-12-01\"\nSteps:\n  - { Name: Alpha, Type: Fail, DependsOn: [Beta], Arguments: { ErrorMessage: x } }\n")
        let command = "\(CLI.binary) lint def.yaml"
        let tty = try runTool(["env", "-u", "NO_COLOR", "TERM=xterm", "script", "-qec", command, "/dev/null"], in: scratch.path)
        #expect(tty.output.contains("\u{1B}[1;31merror\u{1B}[0m"), "\(tty.output)")
        let noColor = try runTool(["env", "NO_COLOR=1", "TERM=xterm", "script", "-qec", command, "/dev/null"], in: scratch.path)
        #expect(noColor.output.contains("error: step 'Alpha' depends on unknown step 'Beta'"))
        #expect(!noColor.output.contains("\u{1B}["))
        let piped = try CLI.run(["lint", "def.yaml"], in: scratch.path)
        #expect(!piped.stdout.contains("\u{1B}["))
    }
}
