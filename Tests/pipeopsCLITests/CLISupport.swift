import Foundation

/// Runs the built `pipeops` binary the way a user or CI would.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// SDK-emitted definitions kept in the repository.
    static let examples = repository.appendingPathComponent("Tests/Fixtures/examples")

    /// The binary next to the test bundle (`swift build` puts both in .build/<config>), or $PIPEOPS_BIN.
    static let binary: String = {
        if let override = ProcessInfo.processInfo.environment["PIPEOPS_BIN"] { return override }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        while url.path != "/" {
            let candidate = url.deletingLastPathComponent().appendingPathComponent("pipeops")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/pipeops").path
    }()

    @discardableResult
    static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], unsettingPrefixes: [String] = []
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment.filter { entry in !unsettingPrefixes.contains { entry.key.hasPrefix($0) } }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a large output cannot dead-lock the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

final class Scratch: @unchecked Sendable {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeops-cli-\(UUID().uuidString)")
    var path: String { url.path }
    init() { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ relative: String, _ text: String) -> String {
        let file = url.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: file)
        return file.path
    }
}

extension Scratch {
    /// Runs the git CLI here (the reference pipeops is compared against).
    @discardableResult
    func git(_ arguments: String..., environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = url
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// A repository with one commit holding a small product.
    static func product() throws -> Scratch {
        let scratch = Scratch()
        try scratch.git("init", "-q", "-b", "main")
        try scratch.git("config", "user.name", "CI")
        try scratch.git("config", "user.email", "ci@example.com")
        scratch.write("pipeops.yaml", "version: 1\npipeline: { name: churn-model, definition: pipeline/definition.yaml }\n")
        scratch.write(
            "pipeline/definition.yaml",
            "Version: \"2020-12-01\"\nSteps:\n  - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: stop } }\n")
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "-m", "product")
        return scratch
    }
}
