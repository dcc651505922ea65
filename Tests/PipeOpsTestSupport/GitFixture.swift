import Foundation

/// A real git repository in a temporary directory, driven by the git CLI (the reference
/// pipeops is compared against).
package final class GitFixture: @unchecked Sendable {
    package let directory = TemporaryDirectory()
    package var path: String { directory.path }

    package init(commit: Bool = true) throws {
        try git("init", "-q", "-b", "main")
        try git("config", "user.name", "Release Manager")
        try git("config", "user.email", "release@example.com")
        try git("config", "commit.gpgsign", "false")
        if commit {
            write("README.md", "# product\n")
            try git("add", ".")
            try git("commit", "-q", "-m", "initial")
        }
    }

    @discardableResult
    package func write(_ relative: String, _ text: String) -> String { directory.write(relative, text) }

    package func commitAll(_ message: String) throws {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }

    /// Runs git in the repository (or `at`) and returns trimmed stdout; throws on failure.
    @discardableResult
    package func git(_ arguments: String..., at: String? = nil) throws -> String {
        try GitFixture.run(arguments, in: at ?? path)
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_DATE"] = "2026-01-01T00:00:00Z"
        env["GIT_COMMITTER_DATE"] = "2026-01-01T00:00:00Z"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        // Only trailing newlines: porcelain status lines start with a meaningful space.
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
