import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// `init --ci` and `adopt --ci` for GitLab CI and AWS CodeBuild/CodePipeline: each flavour's
/// files pass their ecosystem's validators, and the report formats those CIs read are valid.
@Suite struct CIFlavourTests {
    /// CodeBuild's documented buildspec keys (version 0.2).
    static let buildspecKeys: [String: Set<String>] = [
        "": ["version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"],
        "env": ["shell", "variables", "parameter-store", "exported-variables", "secrets-manager", "git-credential-helper"],
        "phases": ["install", "pre_build", "build", "post_build"],
        "phase": ["run-as", "on-failure", "runtime-versions", "commands", "finally"],
        "report": ["files", "base-directory", "discard-paths", "file-format"],
        "cache": ["key", "fallback-keys", "action", "paths"],
    ]
    static let reportFormats: Set = [
        "CUCUMBERJSON", "JUNITXML", "NUNITXML", "NUNIT3XML", "TESTNGXML", "VISUALSTUDIOTRX", "CLOVERXML", "COBERTURAXML",
        "JACOCOXML", "SIMPLECOV",
    ]

    /// Every key of the buildspec is one CodeBuild documents, where it documents it.
    static func buildspecProblems(_ path: String) throws -> [String] {
        let root = try DocumentLoader.parse(data: try Data(contentsOf: URL(fileURLWithPath: path)), path: path).root
        var problems: [String] = []
        func check(_ node: Node?, _ kind: String, _ at: String) {
            for member in node?.members ?? [] where !(buildspecKeys[kind] ?? []).contains(member.key) {
                problems.append("\(at)\(member.key): not a buildspec key")
            }
        }
        check(root, "", "")
        if root["version"]?.string != "0.2" && root["version"]?.double != 0.2 { problems.append("version: must be 0.2") }
        check(root["env"], "env", "env.")
        check(root["phases"], "phases", "phases.")
        for phase in root["phases"]?.members ?? [] {
            check(phase.value, "phase", "phases.\(phase.key).")
            if phase.value["commands"]?.elements?.isEmpty != false { problems.append("phases.\(phase.key).commands: none") }
        }
        for report in root["reports"]?.members ?? [] {
            check(report.value, "report", "reports.\(report.key).")
            if let format = report.value["file-format"]?.string, !reportFormats.contains(format) {
                problems.append("reports.\(report.key).file-format: \(format) is not a CodeBuild report format")
            }
        }
        check(root["cache"], "cache", "cache.")
        return problems
    }

    static func validate(_ flavour: String, in product: String) throws {
        switch flavour {
        case "gitlab":
            let schema = try runTool(["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"], in: product)
            #expect(schema.status == 0, "GitLab's CI schema: \(schema.output)")
            let text = try String(contentsOfFile: product + "/.gitlab-ci.yml", encoding: .utf8)
            #expect(text.contains("codequality: gl-code-quality-report.json") && text.contains("aud: sts.amazonaws.com"))
            #expect(text.contains("when: manual") && text.contains("deployment_tier: production"), "a manual prod gate")
            #expect(text.contains("pipeops plan --env staging --format markdown"), "merge requests get the plan")
        case "codebuild":
            for spec in ["buildspec.yml", "buildspec-deploy.yml"] {
                #expect(try buildspecProblems(product + "/" + spec) == [], "\(spec)")
            }
            let cfn = try runTool(["cfn-lint", "infra/cicd.yaml"], in: product)
            #expect(cfn.status == 0, "cfn-lint: \(cfn.output)")
            let template = try String(contentsOfFile: product + "/infra/cicd.yaml", encoding: .utf8)
            #expect(template.contains("Provider: Manual"), "a manual approval before prod")
        default:
            let workflows = try FileManager.default.contentsOfDirectory(atPath: product + "/.github/workflows").map {
                ".github/workflows/" + $0
            }
            let schema = try runTool(["check-jsonschema", "--builtin-schema", "vendor.github-workflows"] + workflows, in: product)
            #expect(schema.status == 0, "check-jsonschema: \(schema.output)")
        }
    }

    @Test(arguments: ["gitlab", "codebuild"])
    func initWritesTheFlavoursFilesWhichPassTheirValidatorsAndLint(_ flavour: String) throws {
        let scratch = Scratch()
        let made = try CLI.run(["init", "product", "--name", "churn-model", "--ci", flavour], in: scratch.path)
        #expect(made.status == 0, "\(made.stderr)")
        let product = scratch.path + "/product"
        #expect(!FileManager.default.fileExists(atPath: product + "/.github"), "no GitHub workflows for \(flavour)")
        try Self.validate(flavour, in: product)
        let lint = try CLI.run(["lint", "--format", "json"], in: product)
        #expect(lint.status == 0 && lint.stdout.contains("\"errors\": 0"), "\(lint.stdout)\(lint.stderr)")
        let unknown = try CLI.run(["init", "other", "--name", "x", "--ci", "jenkins"], in: scratch.path)
        #expect(unknown.status == 2 && unknown.stderr.contains("github"), "\(unknown.status) \(unknown.stderr)")
    }

    @Test(arguments: ["github", "gitlab", "codebuild"])
    func adoptAddsTheFlavoursCIAndKeepsTheRepositorysOwn(_ flavour: String) throws {
        let own = "# the repository's own CI\nbuild:\n  script: [make]\n"
        let repo = try AdoptTests.committed(["pipeline_definition.json": AdoptTests.embeddedDefinition, "ci/own.yml": own])
        let adopt = try CLI.run(["adopt", "--ci", flavour], in: repo.path)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("CI: "), "\(adopt.stdout)")
        try Self.validate(flavour, in: repo.path)
        #expect(try String(contentsOfFile: repo.path + "/ci/own.yml", encoding: .utf8) == own)
        let status = try repo.git("status", "--porcelain").split(separator: "\n").map(String.init)
        #expect(status.allSatisfy { $0.hasPrefix("?? ") }, "adopt changed no committed file: \(status)")
        // A second adopt --ci refuses: its files exist now.
        let again = try CLI.run(["adopt", "--ci", flavour], in: repo.path)
        #expect(again.status != 0 && again.stderr.contains("exists already"), "\(again.stderr)")
    }

    /// The report formats of those CIs: GitLab Code Quality (JSON) and JUnit XML (CodeBuild).
    @Test func lintWritesGitLabCodeQualityAndJUnitReports() throws {
        let scratch = Scratch()
        _ = try CLI.run(["init", "product", "--name", "churn-model"], in: scratch.path)
        let product = scratch.path + "/product"
        let path = product + "/pipeline/definition.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "Steps.Train.ModelArtifacts", with: "Steps.Trian.ModelArtifacts").write(
            toFile: path, atomically: true, encoding: .utf8)
        let gitlab = try CLI.run(["lint", "--format", "gitlab"], in: product)
        #expect(gitlab.status == 1)
        let issues = try #require(try JSONSerialization.jsonObject(with: Data(gitlab.stdout.utf8)) as? [[String: Any]])
        let dangling = try #require(issues.first { $0["check_name"] as? String == "unknown-step" }, "\(gitlab.stdout)")
        #expect(dangling["severity"] as? String == "major")
        #expect((dangling["location"] as? [String: Any])?["path"] as? String == "pipeline/definition.yaml")
        #expect(((dangling["location"] as? [String: Any])?["lines"] as? [String: Any])?["begin"] as? Int ?? 0 > 1)
        let fingerprints = issues.compactMap { $0["fingerprint"] as? String }
        #expect(fingerprints.count == issues.count && Set(fingerprints).count == issues.count, "one stable fingerprint each")
        let junit = try CLI.run(["lint", "--format", "junit"], in: product)
        let file = scratch.path + "/lint.xml"
        try junit.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let parsed = try runTool(
            [
                "python3", "-c",
                "import sys, xml.etree.ElementTree as T; r = T.parse(sys.argv[1]).getroot(); s = r.find('testsuite'); "
                    + "print(s.get('tests'), s.get('failures'), [c.get('name') for c in s if c.find('failure') is not None])",
                file,
            ], in: scratch.path)
        #expect(parsed.output.contains("5 1 ['pipeline/definition.yaml']"), "\(parsed.output)\(junit.stdout)")
    }
}
