import Foundation
import PipeOpsTestSupport
import Testing

/// A step and everything it starts die with pipeops: kill -9 of pipeops, Ctrl-C, and a
/// MaxRuntimeInSeconds timeout each leave no process of the execution behind. Real processes:
/// the step starts a background `sleep` with a unique duration that marks it in /proc.
@Suite(.serialized) struct StepLifetimeTests {
    /// A product whose one step starts a long background child and then waits for it.
    static func product(marker: String, maxRuntime: Int = 600) throws -> Scratch {
        let scratch = try Scratch()
        scratch.write("pipeops.yaml", "version: 1\npipeline: { name: lifetime, definition: definition.yaml }\n")
        let script = "sleep \(marker) & echo started > started; wait"
        scratch.write(
            "definition.yaml",
            """
            Version: "2020-12-01"
            Steps:
              - Name: Work
                Type: Processing
                Arguments:
                  ProcessingResources: { ClusterConfig: { InstanceType: ml.m5.large, InstanceCount: 1, VolumeSizeInGB: 30 } }
                  AppSpecification: { ImageUri: img, ContainerEntrypoint: [/bin/sh, -c, "\(script)"] }
                  RoleArn: "arn:aws:iam::111111111111:role/r"
                  StoppingCondition: { MaxRuntimeInSeconds: \(maxRuntime) }
            """)
        return scratch
    }

    /// Processes whose command line holds `marker`.
    static func survivors(_ marker: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(marker) && !line.contains("/bin/sh -c") ? "\(pid): \(line)" : nil
        }
    }

    static func start(in scratch: Scratch) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["run"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: scratch.path + "/started") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        return process
    }

    /// The step's background child, once it has exec'd (right after fork its command line is
    /// still the shell's, which `survivors` leaves out; on a loaded machine that takes a moment).
    static func waitUntilRunning(_ marker: String, within seconds: Double = 5) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while survivors(marker).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return survivors(marker)
    }

    static func waitUntilGone(_ marker: String, within seconds: Double = 1.5) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while !survivors(marker).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return survivors(marker)
    }

    @Test func killingPipeopsWithSigkillStopsTheStepAndItsChildren() throws {
        let marker = "301.\(Int.random(in: 100...999))"
        let scratch = try Self.product(marker: marker)
        let run = try Self.start(in: scratch)
        #expect(!Self.waitUntilRunning(marker).isEmpty, "the step's child should be running")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(Self.waitUntilGone(marker).isEmpty, "left running: \(Self.survivors(marker))")
        let list = try CLI.run(["executions", "list"], in: scratch.path)
        #expect(list.stdout.contains("Interrupted"), "\(list.stdout)")
    }

    @Test func ctrlCStopsTheStepAndItsChildren() throws {
        let marker = "302.\(Int.random(in: 100...999))"
        let scratch = try Self.product(marker: marker)
        let run = try Self.start(in: scratch)
        kill(run.processIdentifier, SIGINT)
        run.waitUntilExit()
        #expect(run.terminationStatus == 130)
        #expect(Self.waitUntilGone(marker).isEmpty, "left running: \(Self.survivors(marker))")
    }

    @Test func maxRuntimeStopsTheStepAndItsChildren() throws {
        let marker = "303.\(Int.random(in: 100...999))"
        let scratch = try Self.product(marker: marker, maxRuntime: 2)
        let result = try CLI.run(["run", "--format", "json"], in: scratch.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("MaxRuntimeInSeconds"), "\(result.stdout)")
        #expect(Self.waitUntilGone(marker).isEmpty, "left running: \(Self.survivors(marker))")
    }
}
