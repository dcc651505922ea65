import Foundation
import PipeOpsTestSupport
import Testing

@Suite struct PromotionCommandTests {
    /// The test product (Fixtures/product) committed in a fresh repository.
    static func product(tag: String? = nil) throws -> Scratch {
        let scratch = Scratch()
        let source = CLI.repository.appendingPathComponent("Tests/Fixtures/product")
        for item in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: scratch.url.appendingPathComponent(item))
        }
        try scratch.git("init", "-q", "-b", "main")
        try scratch.git("config", "user.name", "Release Manager")
        try scratch.git("config", "user.email", "rm@example.com")
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "product")
        if let tag { try scratch.git("tag", "-a", tag, "-m", tag) }
        return scratch
    }

    @Test func renderToStdoutAndFileIsDeterministic() throws {
        let product = try Self.product(tag: "v1.0.0")
        let a = try CLI.run(["render", "--env", "staging"], in: product.path)
        let b = try CLI.run(["render", "--env", "staging"], in: product.path)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout == b.stdout)
        let written = try CLI.run(["render", "--env", "staging", "--output", "out/staging.json"], in: product.path)
        #expect(written.status == 0)
        #expect(try String(contentsOfFile: product.path + "/out/staging.json", encoding: .utf8) == a.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: product.path + "/out").filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func diffExitCodes() throws {
        let product = try Self.product()
        let same = try CLI.run(["diff", "staging", "staging"], in: product.path)
        #expect(same.status == 0)
        let different = try CLI.run(["diff", "staging", "prod"], in: product.path)
        #expect(different.status == 1)
        #expect(different.stdout.contains("The pipeline structure is identical"))
        let json = try CLI.run(["diff", "staging", "prod", "--format", "json"], in: product.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["structureIdentical"] as? Bool == true)
        let unknown = try CLI.run(["diff", "staging", "production"], in: product.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'prod'?"))
    }

    @Test func badEnvironmentFileFailsRenderWithFileLine() throws {
        let product = try Self.product()
        product.write("environments/dev.yaml", "parameters:\n  InputData: s3://b/in\n  Treshold: 3\n")
        let render = try CLI.run(["render", "--env", "dev"], in: product.path)
        #expect(render.status == 1)
        #expect(render.stderr.contains("environments/dev.yaml:3:3: error: environment 'dev' sets unknown parameter 'Treshold'"))
        #expect(render.stdout.isEmpty)
        let lint = try CLI.run(["lint"], in: product.path)
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("environments/dev.yaml:3:3: error"))
    }

    @Test func promoteReportsGatesAndExitsOneOnFailure() throws {
        let product = try Self.product()
        let untagged = try CLI.run(["promote", "--to", "dev"], in: product.path)
        #expect(untagged.status == 1)
        #expect(untagged.stdout.contains("✘ release-tag"))
        #expect(untagged.stdout.contains("✔ lint"))
        try product.git("tag", "-a", "v1.0.0", "-m", "r")
        let dev = try CLI.run(["promote", "--to", "dev"], in: product.path)
        #expect(dev.status == 0, "\(dev.stdout)\(dev.stderr)")
        #expect(dev.stdout.contains("promoted v1.0.0 to dev"))
        #expect(try product.git("notes", "--ref=pipeops", "show", "HEAD").contains("\"environment\""))
        let status = try CLI.run(["promote", "--status"], in: product.path)
        #expect(status.stdout.contains("dev        v1.0.0"))
        #expect(status.stdout.contains("staging    nothing recorded"))
        let usage = try CLI.run(["promote"], in: product.path)
        #expect(usage.status == 2)
    }
}
