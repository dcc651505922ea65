import ArgumentParser
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

@main
struct PipeOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeops",
        abstract: "Lint, version, promote and run Amazon SageMaker pipeline definitions.",
        discussion: """
            pipeops works on a pipeline-as-product repository: one SageMaker pipeline definition \
            (JSON or YAML, or a Python file using the SageMaker SDK, compiled by pipeops), its \
            step code, and one parameter set per environment, described by pipeops.yaml (found \
            by walking up from the current directory).

            Exit codes: 0 success; 1 error-level findings or a failed check; 2 usage, I/O or \
            internal errors.
            """,
        version: PipeOpsVersion.current,
        subcommands: [
            Init.self, Adopt.self, Lint.self, Rules.self, Compile.self, Graph.self, Run.self, Cache.self, Executions.self, Version.self,
            Tag.self,
            Render.self,
            Diff.self, Promote.self, Upsert.self, Start.self, Doctor.self, Plan.self, Status.self, Why.self, LSP.self,
        ]
    )

    /// Maps every failure to the exit-code contract: usage errors and tool errors exit 2 with
    /// one line on stderr; ArgumentParser's help and version requests keep their behaviour.
    static func main() {
        // `pipeops --version` is what CI and wrappers call most often to probe the tool. It
        // answers before ArgumentParser runs: the parser's dynamic casts make the Swift runtime
        // scan every protocol conformance in the (static) binary, most of its start-up time.
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(PipeOpsVersion.current)
            return
        }
        PythonDefinition.notice = { message in Terminal.standardError("pipeops: " + message) }
        // Every command but the language server exits when done: its documents need not be freed.
        if CommandLine.arguments.dropFirst().first != "lsp" { ExitRetention.enable() }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as PipeOpsError where error.isFindings {
            // Content problems (e.g. a bad environment file): the findings, then exit 1.
            Terminal.standardError(error.errorDescription ?? "")
            Foundation.exit(1)
        } catch let error as PipeOpsError {
            Terminal.error(error.errorDescription ?? "\(error)")
            Foundation.exit(2)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.standardError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Where output goes, and whether it may be coloured.
enum Terminal {
    static var colorAllowed: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    static var stderrColorAllowed: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func output(_ data: Data) { FileHandle.standardOutput.write(data) }

    /// Everything pipeops prints on stderr passes the redactor: service messages are redacted
    /// where they enter, and this is the last place a credential could still slip through.
    static func standardError(_ text: String) {
        let safe = Redaction.redact(text)
        FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
    }

    static func error(_ message: String) {
        // A message that is already a compiler-style line keeps its own severity and position.
        if message.range(of: #"^[^\s:][^:\n]*:\d+:\d+: (error|warning|info):"#, options: .regularExpression) != nil {
            standardError(message)
            return
        }
        let prefix = TerminalStyle.paint("error:", .error, enabled: stderrColorAllowed)
        standardError("pipeops: \(prefix) \(message)")
    }
}

/// One line of progress on stderr, redrawn in place, and only on a terminal (`TERM=dumb` and
/// pipes get nothing: the command's summary line says what happened).
final class Progress {
    let label: String
    let enabled: Bool
    private var last = Date.distantPast

    init(label: String) {
        self.label = label
        enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func update(_ text: String) {
        guard enabled, Date().timeIntervalSince(last) > 0.05 else { return }
        last = Date()
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label): \(text.prefix(100))".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
