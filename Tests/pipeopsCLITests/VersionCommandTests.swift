import Foundation
import PipeOpsTestSupport
import Testing

@Suite struct VersionCommandTests {
    @Test func versionJSONMatchesGit() throws {
        let repo = try Scratch.product()
        let result = try CLI.run(["version", "--format", "json"], in: repo.url.appendingPathComponent("pipeline").path)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["commit"] as? String == (try repo.git("rev-parse", "HEAD")))
        #expect(object["branch"] as? String == "main")
        #expect(object["dirty"] as? Bool == false)
        let definition = try #require(object["definition"] as? [String: Any])
        #expect((definition["structureSha256"] as? String)?.count == 64)
        let stamps = try #require(object["stampTags"] as? [String: String])
        #expect(stamps["pipeops:git-commit"] == (try repo.git("rev-parse", "HEAD")))
        #expect(stamps["pipeops:structure-sha256"] == definition["structureSha256"] as? String)
    }

    @Test func tagThenRetagExitsTwoWithoutChanges() throws {
        let repo = try Scratch.product()
        let first = try CLI.run(["tag", "1.0.0"], in: repo.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("tagged v1.0.0 at "))
        #expect((try repo.git("cat-file", "-t", "v1.0.0")) == "tag")
        let object = try repo.git("rev-parse", "v1.0.0")
        let again = try CLI.run(["tag", "1.0.0"], in: repo.path)
        #expect(again.status == 2)
        #expect(again.stderr == "pipeops: error: tag 'v1.0.0' already exists; nothing was changed\n")
        #expect((try repo.git("rev-parse", "v1.0.0")) == object)
        let version = try CLI.run(["version"], in: repo.path)
        #expect(version.stdout.hasPrefix("version     v1.0.0\n"))
    }

    @Test func refusalsExitTwo() throws {
        let outside = Scratch()
        let notRepo = try CLI.run(["version"], in: outside.path)
        #expect(notRepo.status == 2)
        #expect(notRepo.stderr.contains("not inside a git repository"))
        let repo = try Scratch.product()
        repo.write("pipeline/definition.yaml", "Version: \"2020-12-01\"\nSteps: []\n")
        let dirty = try CLI.run(["tag"], in: repo.path)
        #expect(dirty.status == 2)
        #expect(dirty.stderr.contains("--allow-dirty"))
        let bad = try CLI.run(["tag", "one.two", "--allow-dirty"], in: repo.path)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("not a semantic version"))
        #expect((try repo.git("tag", "--list")).isEmpty)
    }

    /// Needs root to give the repository to another owner; skipped (and reported as skipped) otherwise.
    @Test(.enabled(if: getuid() == 0, "chown to another owner needs root"))
    func foreignOwnedRepositoryExplainsAndHonoursSafeDirectory() throws {
        let repo = try Scratch.product()
        let home = Scratch()
        let enumerator = try #require(FileManager.default.enumerator(atPath: repo.path))
        _ = chown(repo.path, 4343, 4343)
        for case let item as String in enumerator { _ = lchown(repo.path + "/" + item, 4343, 4343) }
        defer {
            _ = chown(repo.path, 0, 0)
            if let again = FileManager.default.enumerator(atPath: repo.path) {
                for case let item as String in again { _ = lchown(repo.path + "/" + item, 0, 0) }
            }
        }
        let refused = try CLI.run(["version"], in: repo.path, environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("owned by user 4343"))
        #expect(refused.stderr.contains("safe.directory"))
        #expect(!refused.stderr.contains("was not found"))
        home.write(".gitconfig", "[safe]\n\tdirectory = \(repo.path)\n")
        let allowed = try CLI.run(["version"], in: repo.path, environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.path])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
