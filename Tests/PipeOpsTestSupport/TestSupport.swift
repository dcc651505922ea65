import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// Paths of the repository and its test fixtures (the repository is self-contained: nothing
/// outside it is read).
package enum TestPaths {
    package static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    package static let fixtures = repository.appendingPathComponent("Tests/Fixtures")
    /// SDK-emitted definitions and the abalone evaluation sample.
    package static let examples = repository.appendingPathComponent("Tests/Fixtures/examples")
    /// Definitions written by the SageMaker SDK (scripts/sdk-corpus), under v2/ and v3/.
    package static let sdkCorpus = repository.appendingPathComponent("Tests/Fixtures/sdk")
    /// `Tests/Support/validate_sarif.py` (the SARIF 2.1.0 schema is in Tests/Fixtures/sarif).
    package static let sarifValidator = repository.appendingPathComponent("Tests/Support/validate_sarif.py")
}

/// A temporary directory removed when the value is released.
package final class TemporaryDirectory: @unchecked Sendable {
    package let url: URL
    package var path: String { url.path }

    package init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeops-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    package func write(_ relative: String, _ text: String) -> String {
        let file = url.appendingPathComponent(relative)
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: file)
        return file.path
    }
}

/// Loads text the way `pipeops lint` loads a file, turning syntax errors into findings.
package func lintDefinition(_ text: String, path: String = "definition.yaml", options: LintOptions = LintOptions()) -> [Finding] {
    do {
        let document = try DocumentLoader.parse(data: Data(text.utf8), path: path)
        return Linter(options: options).lint(definition: document)
    } catch {
        if case .syntax(let file, let syntax) = error { return [Finding.syntax(file: file, syntax)] }
        return []
    }
}

/// Strips `↓` markers and returns the clean text with the marked positions.
package func extractMarkers(_ text: String) -> (text: String, locations: [SourceLocation]) {
    var locations: [SourceLocation] = []
    var lines: [String] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var clean = ""
        var column = 1
        for scalar in line.unicodeScalars {
            if Character(scalar) == RuleDescription.marker {
                locations.append(SourceLocation(line: index + 1, column: column))
            } else {
                clean.unicodeScalars.append(scalar)
                column += 1
            }
        }
        lines.append(clean)
    }
    return (lines.joined(separator: "\n"), locations)
}

/// Runs a Python-installed checker (cfn-lint, check-jsonschema, zizmor) and returns its status and output.
package func runTool(_ argv: [String], in directory: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = argv
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A xorshift64 generator with a fixed seed, so a generated-input test fails on the same input
/// every time and its message names it.
package struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// A number in 0..<bound (0 for a bound below 1).
    package mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
