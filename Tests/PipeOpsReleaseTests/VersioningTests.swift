import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsWorkspace

/// pipeops reads git through libgit2; every field is compared with what git itself says.
@Suite struct VersioningTests {
    /// `git status --porcelain -uall` lines, for comparison with `changes()`.
    func porcelain(_ fixture: GitFixture, at: String? = nil) throws -> [String] {
        try fixture.git("status", "--porcelain", "-uall", at: at).split(separator: "\n").map(String.init).sorted {
            $0.dropFirst(3) < $1.dropFirst(3)
        }
    }

    @Test func cleanRepositoryMatchesGit() throws {
        let repo = try GitFixture()
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.commit == (try repo.git("rev-parse", "HEAD")))
        #expect(info.branch == (try repo.git("rev-parse", "--abbrev-ref", "HEAD")))
        #expect(!info.dirty)
        #expect(info.changes.isEmpty)
        #expect(info.tag == nil)
        #expect(info.describe == (try repo.git("describe", "--tags", "--dirty", "--long", "--always")))
        #expect(info.repository == URL(fileURLWithPath: repo.path).resolvingSymlinksInPath().path || info.repository == repo.path)
    }

    @Test func stagedUnstagedAndUntrackedChangesMatchPorcelain() throws {
        let repo = try GitFixture()
        repo.write(".gitignore", "*.log\n")
        repo.write("pipeline/definition.yaml", "Version: \"2020-12-01\"\nSteps: []\n")
        repo.write("gone.txt", "x\n")
        try repo.commitAll("add files")
        repo.write("README.md", "# changed\n") // unstaged
        repo.write("staged.txt", "new\n")
        try repo.git("add", "staged.txt") // staged
        repo.write("new/dir/file.txt", "untracked\n") // untracked, nested
        repo.write("debug.log", "ignored\n") // ignored: not a change
        try repo.git("rm", "-q", "gone.txt") // staged deletion
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.dirty)
        #expect(info.changes.map(\.description) == (try porcelain(repo)))
        #expect(info.describe == (try repo.git("describe", "--tags", "--dirty", "--long", "--always")))
    }

    @Test func untrackedOnlyIsDirtyButNotForDescribe() throws {
        let repo = try GitFixture()
        try repo.git("tag", "-a", "v1.0.0", "-m", "first")
        repo.write("notes.txt", "scratch\n")
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.dirty)
        #expect(info.describe == (try repo.git("describe", "--tags", "--dirty", "--long")))
        #expect(info.describe == "v1.0.0-0-g\(info.shortCommit)")
    }

    @Test func describeCountsCommitsSinceTheNearestReleaseTag() throws {
        let repo = try GitFixture()
        try repo.git("tag", "-a", "v1.0.0", "-m", "one")
        repo.write("a.txt", "a\n")
        try repo.commitAll("a")
        try repo.git("tag", "v1.1.0") // lightweight tags count, as with --tags
        repo.write("b.txt", "b\n")
        try repo.commitAll("b")
        repo.write("c.txt", "c\n")
        try repo.commitAll("c")
        repo.write("a.txt", "changed\n")
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.describe == (try repo.git("describe", "--tags", "--dirty", "--long")))
        #expect(info.tag == "v1.1.0")
        #expect(info.distance == 2)
        #expect(info.version == info.describe)
        #expect(info.describe.hasSuffix("-dirty"))
    }

    @Test func exactReleaseOnCleanTreeIsTheTag() throws {
        let repo = try GitFixture()
        try repo.git("tag", "-a", "v2.3.4", "-m", "release")
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.version == "v2.3.4")
        #expect(info.stampTags.first { $0.key == "pipeops:version" }?.value == "v2.3.4")
    }

    @Test func subdirectoryFindsTheRepositoryRoot() throws {
        let repo = try GitFixture()
        repo.write("pipeline/steps/prep.py", "print('x')\n")
        try repo.commitAll("steps")
        let sub = repo.directory.url.appendingPathComponent("pipeline/steps").path
        let info = try VersionInfo.gather(from: sub)
        #expect(info.commit == (try repo.git("rev-parse", "HEAD", at: sub)))
        #expect(info.repository == (try repo.git("rev-parse", "--show-toplevel", at: sub)))
    }

    @Test func detachedHeadHasNoBranch() throws {
        let repo = try GitFixture()
        repo.write("a.txt", "a\n")
        try repo.commitAll("a")
        try repo.git("checkout", "-q", "--detach", "HEAD~1")
        let info = try VersionInfo.gather(from: repo.path)
        #expect(info.branch == nil)
        #expect(info.detached)
        #expect(info.commit == (try repo.git("rev-parse", "HEAD")))
        #expect((try repo.git("rev-parse", "--abbrev-ref", "HEAD")) == "HEAD")
    }

    @Test func linkedWorktreeReadsItsOwnHead() throws {
        let repo = try GitFixture()
        try repo.git("branch", "feature")
        let worktree = repo.directory.url.appendingPathComponent("wt").path
        try repo.git("worktree", "add", "-q", worktree, "feature")
        FileManager.default.createFile(atPath: worktree + "/wip.txt", contents: Data("x\n".utf8))
        let info = try VersionInfo.gather(from: worktree)
        #expect(info.worktree)
        #expect(info.branch == "feature")
        #expect(info.commit == (try repo.git("rev-parse", "HEAD", at: worktree)))
        #expect(info.changes.map(\.description) == (try porcelain(repo, at: worktree)))
    }

    @Test func shallowCloneWorksAsCIMakesIt() throws {
        let repo = try GitFixture()
        repo.write("a.txt", "a\n")
        try repo.commitAll("a")
        try repo.git("tag", "-a", "v1.0.0", "-m", "release")
        repo.write("b.txt", "b\n")
        try repo.commitAll("b")
        let clone = repo.directory.url.appendingPathComponent("shallow").path
        try repo.git("clone", "-q", "--depth", "1", "file://\(repo.path)", clone)
        let info = try VersionInfo.gather(from: clone)
        #expect(info.shallow)
        #expect(info.commit == (try repo.git("rev-parse", "HEAD", at: clone)))
        let gitDescribe =
            try (try? repo.git("describe", "--tags", "--dirty", "--long", at: clone))
            ?? repo.git("describe", "--tags", "--dirty", "--long", "--always", at: clone)
        #expect(info.describe == gitDescribe)
    }

    @Test func repositoryOwnedByAnotherUserGetsAClearMessage() throws {
        guard getuid() == 0 else { return } // chown needs root; CI and this machine run as root
        let repo = try GitFixture()
        #expect(chownRecursively(repo.path, to: 4242))
        defer { _ = chownRecursively(repo.path, to: getuid()) }
        do {
            _ = try VersionInfo.gather(from: repo.path)
            Issue.record("a repository owned by uid 4242 was opened without complaint")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.contains("owned by user 4242"))
            #expect(message.contains("git config --global --add safe.directory"))
            #expect(!message.contains("was not found"))
        }
    }

    func chownRecursively(_ path: String, to uid: uid_t) -> Bool {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return false }
        var ok = chown(path, uid, uid) == 0
        for case let item as String in enumerator { ok = ok && lchown(path + "/" + item, uid, uid) == 0 }
        return ok
    }

    @Test func outsideARepositoryIsAClearError() {
        let directory = TemporaryDirectory()
        #expect(throws: PipeOpsError.self) { try VersionInfo.gather(from: directory.path) }
        do { _ = try VersionInfo.gather(from: directory.path) } catch {
            #expect(error.errorDescription?.contains("not inside a git repository") == true)
        }
    }

    @Test func repositoryWithoutCommitsIsAClearError() throws {
        let repo = try GitFixture(commit: false)
        do {
            _ = try VersionInfo.gather(from: repo.path)
            Issue.record("an empty repository had a version")
        } catch {
            #expect(error.errorDescription?.contains("no commits yet") == true)
        }
    }
}

@Suite struct ReleaseTagTests {
    static let definition = (path: "pipeline/definition.yaml", root: Node(object: [("Version", "2020-12-01"), ("Steps", [])]))

    @Test func tagIsARealAnnotatedTagWithTheHashes() throws {
        let repo = try GitFixture()
        let result = try Release.tag(Release.Request(version: "1.4.0", directory: repo.path), tagPrefix: "v", definition: Self.definition)
        #expect(result.tag == "v1.4.0")
        #expect((try repo.git("cat-file", "-t", "v1.4.0")) == "tag")
        let body = try repo.git("cat-file", "-p", "v1.4.0")
        let hashes = DefinitionHashes(root: Self.definition.root)
        #expect(body.contains("definition-sha256: \(hashes.content)"))
        #expect(body.contains("structure-sha256: \(hashes.structure)"))
        #expect(body.contains("tagger Release Manager <release@example.com>"))
        #expect((try repo.git("rev-parse", "v1.4.0^{commit}")) == (try repo.git("rev-parse", "HEAD")))
        // The message ends with a newline, as `git tag -a` writes it.
        #expect((try repo.git("for-each-ref", "--format=%(contents)", "refs/tags/v1.4.0")).hasSuffix(hashes.structure))
    }

    @Test func secondTagWithTheSameNameFailsAndChangesNothing() throws {
        let repo = try GitFixture()
        try Release.tag(Release.Request(version: "1.0.0", directory: repo.path), tagPrefix: "v", definition: nil)
        let before = try repo.git("rev-parse", "v1.0.0")
        repo.write("a.txt", "a\n")
        try repo.commitAll("a")
        #expect(throws: PipeOpsError.git("tag 'v1.0.0' already exists; nothing was changed")) {
            try Release.tag(Release.Request(version: "v1.0.0", directory: repo.path), tagPrefix: "v", definition: nil)
        }
        #expect((try repo.git("rev-parse", "v1.0.0")) == before)
    }

    @Test func bumpsFollowTheLatestReleaseTag() throws {
        let repo = try GitFixture()
        try repo.git("tag", "v1.2.3")
        try repo.git("tag", "v1.10.0-rc.1")
        try repo.git("tag", "not-a-release")
        #expect(try Release.tag(Release.Request(version: nil, directory: repo.path), tagPrefix: "v", definition: nil).tag == "v1.10.0")
        #expect(try Release.tag(Release.Request(version: "minor", directory: repo.path), tagPrefix: "v", definition: nil).tag == "v1.11.0")
        #expect(try Release.tag(Release.Request(version: "major", directory: repo.path), tagPrefix: "v", definition: nil).tag == "v2.0.0")
    }

    @Test func monorepoPrefix() throws {
        let repo = try GitFixture()
        let result = try Release.tag(Release.Request(version: "minor", directory: repo.path), tagPrefix: "churn-model/v", definition: nil)
        #expect(result.tag == "churn-model/v0.1.0")
        #expect(
            (try repo.git("describe", "--tags", "--long")) == "churn-model/v0.1.0-0-g\(String(try repo.git("rev-parse", "HEAD").prefix(7)))"
        )
        #expect(try VersionInfo.gather(from: repo.path, tagPrefix: "churn-model/v").version == "churn-model/v0.1.0")
    }

    @Test func refusalsChangeNothing() throws {
        let repo = try GitFixture()
        repo.write("README.md", "dirty\n")
        #expect(throws: PipeOpsError.self) {
            try Release.tag(Release.Request(version: "1.0.0", directory: repo.path), tagPrefix: "v", definition: nil)
        }
        #expect(throws: PipeOpsError.self) {
            try Release.tag(Release.Request(version: "1.0", allowDirty: true, directory: repo.path), tagPrefix: "v", definition: nil)
        }
        #expect((try repo.git("tag", "--list")).isEmpty)
        let dirty = try Release.tag(
            Release.Request(version: "1.0.0", allowDirty: true, directory: repo.path), tagPrefix: "v", definition: nil)
        #expect(dirty.message.contains("working-tree: dirty"))
        let empty = try GitFixture(commit: false)
        #expect(throws: PipeOpsError.self) {
            try Release.tag(Release.Request(version: "1.0.0", directory: empty.path), tagPrefix: "v", definition: nil)
        }
    }

    @Test func semverParsesAndOrders() {
        #expect(SemanticVersion("1.2.3-rc.1+build.5")?.description == "1.2.3-rc.1+build.5")
        #expect(SemanticVersion("01.2.3") == nil)
        #expect(SemanticVersion("1.2") == nil)
        #expect(SemanticVersion("1.0.0-alpha")! < SemanticVersion("1.0.0-alpha.1")!)
        #expect(SemanticVersion("1.0.0-rc.1")! < SemanticVersion("1.0.0")!)
        #expect(SemanticVersion("1.9.0")! < SemanticVersion("1.10.0")!)
    }
}

@Suite struct DefinitionHashTests {
    @Test func structureIgnoresDefaultsContentDoesNot() throws {
        let a = try DocumentLoader.parse(
            data: Data(#"{"Version":"2020-12-01","Parameters":[{"Name":"N","Type":"Integer","DefaultValue":1}],"Steps":[]}"#.utf8),
            path: "a.json")
        let b = try DocumentLoader.parse(
            data: Data(#"{"Version":"2020-12-01","Parameters":[{"Name":"N","Type":"Integer","DefaultValue":5}],"Steps":[]}"#.utf8),
            path: "b.json")
        let ha = DefinitionHashes(root: a.root)
        let hb = DefinitionHashes(root: b.root)
        #expect(ha.structure == hb.structure)
        #expect(ha.content != hb.content)
        #expect(ha.content.count == 64)
    }

    @Test func keyOrderWhitespaceAndSyntaxDoNotMatter() throws {
        let json = try DocumentLoader.parse(
            data: Data(
                #"{"Steps": [], "Version": "2020-12-01", "Parameters": [{"Type": "Float", "Name": "T", "DefaultValue": 0.5}]}"#.utf8),
            path: "a.json")
        let yaml = try DocumentLoader.parse(
            data: Data(
                "# comment\nVersion: \"2020-12-01\"\nParameters:\n  - Name: T\n    Type: Float\n    DefaultValue: 0.5\nSteps: []\n".utf8),
            path: "a.yaml")
        #expect(DefinitionHashes(root: json.root) == DefinitionHashes(root: yaml.root))
    }

    @Test func hashIsSHA256OfCanonicalJSON() {
        let root = Node(object: [("b", 1), ("a", "é/x")])
        #expect(CanonicalJSON.string(root) == #"{"a":"é/x","b":1}"#)
        #expect(DefinitionHashes.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct StampTests {
    @Test func stampTagsFitSageMakersLimits() throws {
        let repo = try GitFixture()
        repo.write("x.txt", "dirty\n")
        var info = try VersionInfo.gather(
            from: repo.path, definition: ("d.json", Node(object: [("Version", "2020-12-01"), ("Steps", [])])))
        info.artifacts = ArtifactSet()
        let keys = info.stampTags.map(\.key)
        #expect(
            keys == [
                "pipeops:git-commit", "pipeops:git-dirty", "pipeops:version", "pipeops:structure-sha256", "pipeops:definition-sha256",
                "pipeops:code-sha256",
            ])
        #expect(keys.count + 1 == TagsRule.reservedByPipeops, "the stamp plus pipeops:environment")
        for (key, value) in info.stampTags {
            #expect(key.count <= 128 && value.count <= 256)
            #expect(TagsRule.isTagText(key) && TagsRule.isTagText(value), "\(key)=\(value)")
        }
        #expect(info.stampTags.first { $0.key == "pipeops:git-dirty" }?.value == "true")
        #expect(info.humanDescription.contains(info.shortCommit))
        #expect(info.humanDescription.contains("uncommitted"))
    }
}
