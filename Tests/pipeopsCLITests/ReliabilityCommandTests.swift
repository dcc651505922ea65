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

/// Full disks, read-only places and kill -9 at random moments: every file stays old or new,
/// errors are one line naming the path, exit 2.
@Suite(.serialized) struct ReliabilityCommandTests {
    /// A small tmpfs mounted on a fresh folder (the tests run as root); unmounted on deinit.
    final class SmallDisk {
        let scratch = Scratch()
        var path: String { scratch.path + "/disk" }

        init(kilobytes: Int) throws {
            try FileManager.default.createDirectory(atPath: scratch.path + "/disk", withIntermediateDirectories: true)
            let mounted = try runTool(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", scratch.path + "/disk"], in: "/")
            try #require(mounted.status == 0, "mounting a tmpfs needs root: \(mounted.output)")
        }

        /// Fills the disk until a write fails.
        func fill() throws {
            let result = try runTool(["sh", "-c", "dd if=/dev/zero of='\(path)/filler' bs=1k 2>/dev/null; true"], in: "/")
            #expect(result.status == 0)
        }

        func remountReadOnly() throws {
            let result = try runTool(["mount", "-o", "remount,ro", path], in: "/")
            try #require(result.status == 0, "\(result.output)")
        }

        deinit { _ = try? runTool(["umount", "-l", path], in: "/") }

        var leftovers: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".tmp") }
        }
    }

    @Test func renderToAFullDiskIsOneLineAndLeavesTheOldFile() throws {
        let product = try SageMakerCommandTests.product()
        let disk = try SmallDisk(kilobytes: 256)
        let target = disk.path + "/request.json"
        try "old request\n".write(toFile: target, atomically: false, encoding: .utf8)
        try disk.fill()
        let result = try CLI.run(["render", "--env", "dev", "-o", target], in: product.path)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(target) && result.stderr.contains("No space left on device"), "\(result.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old request\n", "the old file is untouched")
        #expect(disk.leftovers.isEmpty, "no temporary file left: \(disk.leftovers)")
    }

    @Test func renderToAReadOnlyPlaceIsOneLineAndLeavesTheOldFile() throws {
        let product = try SageMakerCommandTests.product()
        let disk = try SmallDisk(kilobytes: 256)
        let target = disk.path + "/request.json"
        try "old request\n".write(toFile: target, atomically: false, encoding: .utf8)
        try disk.remountReadOnly()
        let result = try CLI.run(["render", "--env", "dev", "-o", target], in: product.path)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(target) && result.stderr.contains("Read-only file system"), "\(result.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old request\n")
    }

    @Test func initOnAFullDiskIsOneLineAndLeavesNoHalfFile() throws {
        let disk = try SmallDisk(kilobytes: 64)
        let result = try CLI.run(
            ["init", disk.path + "/product", "--name", "churn-model", "--account", "123456789012"], in: disk.scratch.path)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        // Every file that exists is whole: the scaffold is all there or not there at all.
        let written = (FileManager.default.subpaths(atPath: disk.path) ?? []).filter { $0.hasSuffix(".tmp") }
        #expect(written.isEmpty, "\(written)")
        #expect(!FileManager.default.fileExists(atPath: disk.path + "/product/pipeops.yaml"))
    }

    /// Starts the CLI, kills it with SIGKILL after `delay` seconds (if still running).
    func killed(_ arguments: [String], in directory: String, after delay: Double, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Every JSON file pipeops wrote below `directory` parses: records, cache entries, local S3
    /// objects, registry entries, rendered files. A killed step's own scratch files in its
    /// sandbox are the step's (as a killed job's disk is), and an interrupted step never
    /// publishes them, so they are left out.
    func unparsable(below directory: String) -> [String] {
        var bad: [String] = []
        for relative in FileManager.default.subpaths(atPath: directory) ?? []
        where relative.hasSuffix(".json") && !relative.contains("/sandbox/") {
            let path = directory + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil { bad.append(relative) }
        }
        return bad
    }

    @Test func killNineAtRandomMomentsLeavesEveryFileOldOrNew() throws {
        let product = try SageMakerCommandTests.product()
        var generator = SystemRandomNumberGenerator()
        #expect(try CLI.run(["tag", "1.0.0"], in: product.path).status == 0)
        let outside = Scratch() // render -o and init write here, so the product's tree stays clean for promote
        let rendered = outside.path + "/out/request.json"
        for round in 0..<24 {
            let delay = Double.random(in: 0...0.6, using: &generator)
            switch round % 6 {
            case 0, 1: try killed(["run", "--env", "dev", "--no-cache"], in: product.path, after: delay)
            case 2: try killed(["render", "--env", "dev", "-o", rendered], in: product.path, after: delay / 6)
            case 3: try killed(["promote", "--to", "dev"], in: product.path, after: delay / 3)
            case 4: try killed(["tag", "1.0.\(round)", "--allow-dirty"], in: product.path, after: delay / 6)
            default: try killed(["init", "p\(round)", "--name", "churn-model"], in: outside.path, after: delay / 6)
            }
            // The repository (objects, refs, tags, notes) stays consistent.
            let fsck = try runTool(["git", "fsck", "--no-progress", "--no-dangling"], in: product.path)
            #expect(fsck.status == 0, "round \(round): \(fsck.output)")
            #expect(unparsable(below: product.path).isEmpty, "round \(round): \(unparsable(below: product.path))")
            #expect(unparsable(below: outside.path).isEmpty, "round \(round): \(unparsable(below: outside.path))")
            if let data = FileManager.default.contents(atPath: rendered) {
                // Whole: a complete request (the stamp changes as tags are made, so not byte-equal to the first).
                let request = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
                #expect(
                    request?["PipelineDefinition"] is String && request?["Tags"] != nil, "round \(round): render -o left a partial file")
            }
            // The ledger's notes always parse.
            for line in try product.git("notes", "--ref=pipeops", "list").split(separator: "\n") {
                let object = String(line.split(separator: " ")[0])
                let note = try product.git("cat-file", "-p", object)
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(note.utf8))) != nil,
                    "round \(round): a half-written note: \(note.prefix(200))")
            }
        }
        // upsert killed at random moments: every object it published is whole (its bytes are the
        // ones its content address names), and a last upsert completes the set.
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        for _ in 0..<6 {
            try killed(
                ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path,
                after: Double.random(in: 0.05...0.8, using: &generator), environment: SageMakerCommandTests.environment)
        }
        let check = try moto.s3(
            """
            import hashlib
            bad = []
            for o in s3.list_objects_v2(Bucket="churn-model-artifacts").get("Contents", []):
                obj = s3.get_object(Bucket="churn-model-artifacts", Key=o["Key"])
                body = obj["Body"].read()
                if hashlib.sha256(body).hexdigest() != obj["Metadata"].get("sha256"):
                    bad.append(o["Key"])
            print(json.dumps(bad))
            """)
        #expect(check.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "partial objects: \(check)")
        let finished = try CLI.run(
            ["upsert", "--env", "dev", "--endpoint-url", moto.endpoint], in: product.path, environment: SageMakerCommandTests.environment)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try moto.keys(in: "churn-model-artifacts").count == 3)

        let list = try CLI.run(["executions", "list"], in: product.path)
        #expect(list.status == 0, "\(list.stderr)")
        let again = try CLI.run(["run", "--env", "dev"], in: product.path)
        #expect(again.status == 0, "a new run succeeds after the kills: \(again.stderr)")
        let status = try CLI.run(["promote", "--status"], in: product.path)
        #expect(status.status == 0, "\(status.stderr)")
        let promoted = try CLI.run(["promote", "--to", "dev"], in: product.path)
        #expect(promoted.status == 0, "promotion still works: \(promoted.stdout)\(promoted.stderr)")
    }
}
