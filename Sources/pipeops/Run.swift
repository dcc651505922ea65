import ArgumentParser
import Dispatch
import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel
import PipeOpsReporting

extension PipeOps {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the pipeline end to end on this machine with SageMaker semantics.",
            discussion: """
                Parameters come from the definition's defaults, then the environment's parameter \
                set (--env), then --param. Independent steps run concurrently (--parallelism, \
                default: the environment's parallelism or the number of cores). Each step runs as a \
                host process with its own sandbox at /opt/ml; S3 URIs map to .pipeops/s3 plus \
                pipeops.yaml's local.s3 folders. Steps whose image cannot run here need a stand-in \
                (local.steps.<Step>.command). Every execution is recorded under .pipeops/executions.

                A failed step stops what depends on it; independent branches still finish. A Fail \
                step lets running steps finish and starts nothing new. JsonGet is strict: a path \
                that does not exist fails the step and lists the keys that do.

                Exit codes: 0 Succeeded, 1 Failed, 2 set-up errors, 130 interrupted.
                """
        )

        @OptionGroup var selection: PipelineOption

        @Option(name: .long, help: "Environment whose parameter set to use.")
        var env: String?

        @Option(name: .long, help: "Definition file (default: the manifest's).")
        var definition: String?

        @Option(name: .customLong("param"), help: ArgumentHelp("Override a parameter.", valueName: "NAME=VALUE"))
        var params: [String] = []

        @Option(help: "Most steps to run at once.")
        var parallelism: Int?

        @Option(
            help: ArgumentHelp(
                "Run only this step and the steps after it; the ones before come from an earlier execution.", valueName: "STEP"))
        var from: String?

        @Option(help: ArgumentHelp("Stop after this step (run only what it needs).", valueName: "STEP"))
        var to: String?

        @Option(
            help: ArgumentHelp("The execution whose results --from reuses (default: the newest that has them).", valueName: "EXECUTION"))
        var reuse: String?

        @Flag(
            help:
                "Run only what changed: steps whose inputs differ from the reference execution's, and everything downstream; the rest take that execution's results."
        )
        var changed = false

        @Option(
            help: ArgumentHelp(
                "With --changed: the reference is this environment's last succeeded run (default: --env's own).", valueName: "ENV"))
        var against: String?

        @Option(
            help: ArgumentHelp(
                "With --changed: the reference is the last succeeded run of this revision (a tag, branch or commit).", valueName: "REV"))
        var base: String?

        @Flag(help: "Run every step even when a cached result exists.")
        var noCache = false

        @Option(help: "Output format: text (progress lines) or json (the final execution record).")
        var format: OutputFormat = .text

        func validate() throws {
            do { _ = try Assignments.parse(params) } catch { throw ValidationError(error.errorDescription ?? "") }
            if let parallelism, parallelism < 1 { throw ValidationError("--parallelism must be at least 1") }
            if (against != nil || base != nil) && !changed {
                throw ValidationError("--against and --base choose --changed's reference; add --changed")
            }
            if against != nil && base != nil { throw ValidationError("--changed takes one reference: --against ENV or --base REV") }
            if changed && (from != nil || to != nil) { throw ValidationError("--changed picks the steps itself; drop --from/--to") }
            if changed && env == nil && against == nil {
                throw ValidationError("--changed needs --env ENV (its last succeeded run is the reference)")
            }
            if reuse != nil && from == nil && to == nil {
                throw ValidationError("--reuse names the execution --from takes results from; add --from STEP")
            }
        }

        func run() throws {
            var request = LocalRun.Request(
                environment: env, definition: definition, parameters: try Assignments.parse(params),
                parallelism: parallelism, useCache: !noCache)
            request.from = from
            request.to = to
            request.reuse = reuse
            request.pipeline = selection.pipeline
            if changed { request.changed = LocalRun.Request.Changed(against: against, base: base) }
            let session = try LocalRun(request) {
                Terminal.standardError("pipeops: refusing to run a definition with lint errors (SageMaker would reject it):")
            }
            if format == .text {
                for note in session.notes { Terminal.standardError("pipeops: note: \(note)") }
            }
            let printer = ProgressPrinter(json: format == .json, colored: Terminal.colorAllowed, changed: changed)
            let signals = SignalWatcher { session.interrupt() }
            let record = try session.run { printer.handle($0) }
            signals.cancel()
            printer.finish(record, saved: session.finalRecordJSON, stateDirectory: session.stateDisplay)
            do {
                if let smoke = try session.recordSmokeRun(record), format == .text, let env {
                    Terminal.standardError(
                        "recorded a successful smoke run of \(env) (structure \(smoke.structureSha256.prefix(12))) in \(PromoteUseCase.notesRef)"
                    )
                }
            } catch {
                Terminal.standardError("pipeops: note: smoke run not recorded (\(error.errorDescription ?? "\(error)"))")
            }
            switch record.status {
            case .succeeded: return
            case .interrupted: throw ExitCode(130)
            default: throw ExitCode(1)
            }
        }
    }
}

/// Prints engine events as one line per step change.
final class ProgressPrinter: @unchecked Sendable {
    let json: Bool
    let colored: Bool
    /// `run --changed`: say why each step runs again.
    let changed: Bool
    let lock = NSLock()

    init(json: Bool, colored: Bool, changed: Bool = false) {
        self.json = json
        self.colored = colored
        self.changed = changed
    }

    func paint(_ text: String, _ style: TerminalStyle.Style) -> String { TerminalStyle.paint(text, style, enabled: colored) }

    func handle(_ event: RunEvent) {
        guard !json else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let record):
            Terminal.output(
                "execution \(record.id) of \(record.pipelineName)\(record.environment.map { " (\($0))" } ?? "") · parallelism \(record.parallelism) · isolation \(record.isolation)\n"
            )
        case .stepStarted(let name, let attempt):
            Terminal.output("\(paint("▶", .started)) \(name)\(attempt > 1 ? " (attempt \(attempt))" : "")\n")
        case .stepRetrying(let name, let attempt, let delay, let reason):
            Terminal.output(
                "\(paint("↻", .notice)) \(name) failed (\(reason)); retry \(attempt - 1) in \(String(format: "%.1f", delay)) s\n")
        case .stepFinished(let step):
            let duration = step.durationSeconds.map { String(format: " %.2fs", $0) } ?? ""
            switch step.status {
            case .succeeded where step.reusedFrom != nil:
                Terminal.output("\(paint("↺", .dim)) \(step.name) reused from execution \(step.reusedFrom!)\n")
            case .succeeded where step.cacheHit != nil:
                Terminal.output("\(paint("↺", .success)) \(step.name) cached (from execution \(step.cacheHit!.sourceExecution))\n")
            case .succeeded:
                Terminal.output(
                    "\(paint("✔", .success)) \(step.name)\(duration)\(step.outcome.map { " → \($0 ? "true" : "false")" } ?? "")\(step.attempts > 1 ? " after \(step.attempts) attempts" : "")\n"
                )
            case .failed:
                Terminal.output("\(paint("✘", .failure)) \(step.name)\(duration) failed: \(step.failureReason ?? "")\n")
            case .skipped:
                Terminal.output("\(paint("⤼", .dim)) \(step.name) skipped: \(step.reason ?? "")\n")
            case .notRun:
                Terminal.output("\(paint("·", .dim)) \(step.name) not run: \(step.reason ?? "")\n")
            default: break
            }
        case .note(let text):
            // The engine's notes that --changed reads: why a step runs again.
            if changed, let range = text.range(of: ": runs: ") {
                Terminal.output("\(paint("·", .dim)) \(text[..<range.lowerBound]) runs: \(text[range.upperBound...])\n")
            }
        }
    }

    /// `saved`: the record's JSON as the engine wrote it, printed as is for `--format json`.
    func finish(_ record: ExecutionResult, saved: Data? = nil, stateDirectory: String) {
        if json {
            if let data = saved ?? (try? record.jsonData()) { Terminal.output(String(decoding: data, as: UTF8.self) + "\n") }
            return
        }
        let status = record.status.rawValue
        let painted = record.status == .succeeded ? paint(status, .strongSuccess) : paint(status, .error)
        let cached = record.steps.filter { $0.cacheHit != nil }.count
        Terminal.output(
            "execution \(record.id) \(painted) in \(String(format: "%.2f", record.durationSeconds ?? 0))s\(cached > 0 ? " (\(cached) step\(cached == 1 ? "" : "s") from cache)" : "") · \(stateDirectory)/executions/\(record.id)\n"
        )
        if let reason = record.failureReason { Terminal.output("\(reason)\n") }
    }
}

/// Calls `handler` once on SIGINT or SIGTERM.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ handler: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

extension PipeOps {
    struct Executions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "executions",
            abstract: "List local executions or show one.",
            subcommands: [List.self, Show.self],
            defaultSubcommand: List.self
        )

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List local executions, newest first.")

            func run() throws {
                let records = try LocalExecutions.list()
                if records.isEmpty {
                    Terminal.output("no executions yet; 'pipeops run' starts one\n")
                    return
                }
                for record in records {
                    let failed = record.steps.filter { $0.status == .failed }.count
                    let cached = record.steps.filter { $0.cacheHit != nil }.count
                    Terminal.output(
                        "\(record.id)  \(record.effectiveStatus.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  \(record.startedAt)  \(String(format: "%7.2fs", record.durationSeconds ?? 0))  \(record.environment ?? "-")  \(record.steps.count) steps\(failed > 0 ? ", \(failed) failed" : "")\(cached > 0 ? ", \(cached) cached" : "")\n"
                    )
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one execution: parameters and every step.")

            @Argument(help: "Execution id (from 'pipeops executions list').")
            var id: String

            @Option(help: "Output format: text or json.")
            var format: OutputFormat = .text

            func run() throws {
                var record = try LocalExecutions.load(id)
                record.status = record.effectiveStatus
                if format == .json {
                    Terminal.output(String(decoding: try record.jsonData(), as: UTF8.self) + "\n")
                    return
                }
                var lines = [
                    "execution  \(record.id)", "status     \(record.status.rawValue)",
                    "pipeline   \(record.pipelineName)\(record.environment.map { " (\($0))" } ?? "")",
                    "started    \(record.startedAt)", "duration   \(String(format: "%.2fs", record.durationSeconds ?? 0))", "parameters",
                ]
                for key in record.parameters.keys.sorted() { lines.append("  \(key) = \(record.parameters[key]!.brief)") }
                lines.append("steps")
                for step in record.steps {
                    var line = "  \(step.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(step.name)"
                    if let duration = step.durationSeconds { line += String(format: " %.2fs", duration) }
                    if step.attempts > 1 { line += " (\(step.attempts) attempts)" }
                    if let hit = step.cacheHit { line += " cached from \(hit.sourceExecution)" }
                    if let outcome = step.outcome { line += " outcome \(outcome)" }
                    if let reason = step.failureReason ?? step.reason { line += " — \(reason)" }
                    lines.append(line)
                }
                if let reason = record.failureReason { lines.append(reason) }
                Terminal.output(lines.joined(separator: "\n") + "\n")
            }
        }
    }
}
