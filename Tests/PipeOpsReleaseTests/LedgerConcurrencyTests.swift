import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsWorkspace

/// refs/notes/pipeops is read, extended and written back: concurrent writers once lost records.
@Suite struct LedgerConcurrencyTests {
    @Test func sixteenConcurrentWritersLoseNoRecord() throws {
        let fixture = try GitFixture()
        let commit = try fixture.git("rev-parse", "HEAD")
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            do {
                // One repository handle per writer, as separate pipeops processes have.
                let repository = try GitRepository.discover(from: fixture.path)
                let record = PromotionRecord(
                    kind: .smoke, environment: "dev", commit: commit, version: "v0.1.0", structureSha256: "s", definitionSha256: "d",
                    recordedAt: Timestamp.string(), by: nil, execution: String(format: "exec%02d", index), from: nil)
                try Ledger.append(record, in: repository)
            } catch {
                errors.add("\(error)")
            }
        }
        #expect(errors.all.isEmpty, "\(errors.all)")
        let executions = try Ledger.records(in: GitRepository.discover(from: fixture.path)).compactMap(\.execution).sorted()
        #expect(executions == (0..<16).map { String(format: "exec%02d", $0) })
        // git itself reads the same note.
        #expect(try fixture.git("notes", "--ref=pipeops", "show", "HEAD").contains("exec15"))
    }

    final class ErrorBox: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [String] = []
        func add(_ error: String) { lock.withLock { errors.append(error) } }
        var all: [String] { lock.withLock { errors } }
    }
}

@Suite struct DuplicateKeyTests {
    /// Every other JSON reader (Python's json, the service) keeps the last of repeated keys; pipeops
    /// once kept the first, so lint, runs and hashes saw another definition than SageMaker.
    @Test func theLastOfRepeatedKeysWinsAndIsStillReported() throws {
        let text =
            #"{"Version":"2020-12-01","Steps":[{"Name":"Stop","Type":"Fail","Arguments":{"ErrorMessage":"first","ErrorMessage":"last"}}]}"#
        let document = try DocumentLoader.parse(data: Data(text.utf8), path: "d.json")
        let arguments = try #require(document.root["Steps"]?.elements?.first?["Arguments"])
        #expect(arguments["ErrorMessage"]?.string == "last")
        #expect(arguments.members?.count == 1)
        #expect(document.duplicateKeys.map(\.key) == ["ErrorMessage"])
        let single = #"{"Version":"2020-12-01","Steps":[{"Name":"Stop","Type":"Fail","Arguments":{"ErrorMessage":"last"}}]}"#
        let expected = try DocumentLoader.parse(data: Data(single.utf8), path: "e.json")
        #expect(DefinitionHashes.sha256(CanonicalJSON.data(document.root)) == DefinitionHashes.sha256(CanonicalJSON.data(expected.root)))
        #expect(lintDefinition(text, path: "d.json").contains { $0.rule == "duplicate-key" && $0.severity == .error })
    }
}

@Suite struct ConflictedTreeTests {
    /// Mid-merge, an unmerged file once counted as no change, so the clean-tree gate passed.
    @Test func aConflictedFileIsAChangeAsGitSaysIt() throws {
        let fixture = try GitFixture()
        try fixture.git("checkout", "-q", "-b", "other")
        fixture.write("README.md", "# other\n")
        try fixture.commitAll("other")
        try fixture.git("checkout", "-q", "main")
        fixture.write("README.md", "# main\n")
        try fixture.commitAll("main")
        #expect(throws: (any Error).self) { try fixture.git("merge", "-q", "other") }
        let porcelain = try fixture.git("status", "--porcelain")
        #expect(porcelain == "UU README.md")
        let changes = try GitRepository.discover(from: fixture.path).changes()
        #expect(changes.map(\.description) == ["UU README.md"])
    }
}

@Suite struct ModelRegistryTests {
    /// Parallel RegisterModel steps once all took `max + 1` and overwrote each other.
    @Test func parallelRegistrationsGetDistinctVersions() throws {
        let directory = TemporaryDirectory()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            _ = try? ModelRegistry(stateDirectory: directory.path).register(
                Node(object: [("Index", Node(.integer(index)))]), group: "churn models/v2", execution: "e", step: "Register")
        }
        let packages = ModelRegistry(stateDirectory: directory.path).packages(group: "churn models/v2")
        #expect(packages.compactMap { $0["ModelPackageVersion"]?.int } == Array(1...16))
        #expect(Set(packages.compactMap { $0["Index"]?.int }) == Set(0..<16), "no registration overwrote another")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/registry/churn-models-v2").filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
    }

    @Test func namesNeverLeaveTheirFolder() throws {
        let directory = TemporaryDirectory()
        let registry = ModelRegistry(stateDirectory: directory.path + "/state")
        try registry.saveModel(Node(object: [("ModelName", Node(.string("x")))]), named: "../../escape")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/escape.json"))
        #expect(registry.model(named: "../../escape")?["ModelName"]?.string == "x")
        _ = try registry.register(Node(object: []), group: "../../../group", execution: "e", step: "s")
        #expect(registry.packages(group: "../../../group").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["state"])
    }
}
