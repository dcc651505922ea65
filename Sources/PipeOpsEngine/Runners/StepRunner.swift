import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// A step failure, with the retry exception type it maps to (nil: never retried).
struct StepFailure: Error, Sendable {
    var message: String
    var exceptionType: String?
}

/// What a runner needs for one attempt of one step.
struct StepJob: Sendable {
    var step: Step
    var arguments: Node
    var context: RuntimeContext
    var sandbox: Sandbox
    var logDirectory: String
    var productRoot: String
    var stateDirectory: String
    var standIn: [String]?
    var fixedOutputs: Node?
    var jobName: String
    var baseEnvironment: [String: String]
    /// False for a stand-in that reads none of its step's inputs: staging is skipped.
    var stageInputs = true

    var stdoutPath: String { logDirectory + "/stdout.log" }
    var stderrPath: String { logDirectory + "/stderr.log" }
}

/// Runs one attempt of one kind of step and returns its properties (what `Steps.<Name>.…` reads).
/// One type per step family; `StepRunners.runner(for:)` picks it.
protocol StepRunner {
    /// The /opt/ml folders this kind of step finds in its sandbox (SageMaker's container layout).
    static var sandboxFolders: [String] { get }
    static func run(_ job: StepJob) throws(StepFailure) -> Node
}

extension StepRunner {
    static var sandboxFolders: [String] { ["output"] }
}

enum StepRunners {
    /// The runner for a step: its family's, or the stand-in runner when pipeops.yaml names a
    /// command for a step type that has no local emulation of its own.
    static func runner(for step: Step, hasStandIn: Bool) -> any StepRunner.Type {
        guard let type = step.type, let entry = table[type] else { return StandInRunner.self }
        return hasStandIn && entry.standInReplaces ? StandInRunner.self : entry.runner
    }

    /// The runner of each step type that has a local emulation of its own (the types' facts are
    /// in their StepKind); `standInReplaces`: a `local.steps` command runs in its place.
    static let table: [StepType: (runner: any StepRunner.Type, standInReplaces: Bool)] = [
        .processing: (ProcessingRunner.self, false),
        .training: (TrainingRunner.self, false),
        .transform: (TransformRunner.self, false),
        .model: (ModelRunner.self, true),
        .registerModel: (RegisterModelRunner.self, true),
        .lambda: (OutputParameterRunner.self, false),
        .callback: (OutputParameterRunner.self, false),
    ]

    static func object(_ pairs: [(String, Node.Value)]) -> Node { Node(.object(pairs.map { member($0.0, $0.1) })) }

    /// The arguments with extra top-level members (response fields) added or replaced.
    static func merge(_ base: Node, _ extra: [(String, Node.Value)]) -> Node {
        var members = base.members ?? []
        for (key, value) in extra {
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = Node(value)
            } else {
                members.append(member(key, value))
            }
        }
        return Node(.object(members))
    }

    /// A file of the step's sandbox (its job's configuration), read only by the step, which
    /// starts after it is written: written plainly, without an atomic write's two fsyncs (four
    /// per step). Each attempt writes it again; nothing reads it after a crash.
    static func writeJSON(_ node: Node, to path: String) throws(StepFailure) {
        do { try PlainFile.write(CanonicalJSON.data(node, sortKeys: true, pretty: true), to: path) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot write \(path)", exceptionType: nil)
        }
    }

    static func hostPath(_ job: StepJob, _ containerPath: String, what: String) throws(StepFailure) -> String {
        guard let path = job.sandbox.hostPath(containerPath) else {
            throw StepFailure(
                message: "\(what) '\(containerPath)' is outside /opt/ml, which is all a local sandbox provides", exceptionType: nil)
        }
        return path
    }

    /// Where the step's process starts: a `local.steps` stand-in at the product root (its command
    /// names product files); a container's own command in the job's /opt/ml/code, as script mode
    /// runs (else /opt/ml), so a step that writes relative paths writes into its sandbox, never
    /// into the product.
    static func workingDirectory(_ job: StepJob) -> String {
        if job.standIn != nil { return job.productRoot }
        let code = job.sandbox.root + "/code"
        return FileManager.default.fileExists(atPath: code) ? code : job.sandbox.root
    }

    /// Runs argv in the sandbox; a non-zero exit becomes a failure whose exception type comes
    /// from /opt/ml/output/failure when it starts with one (e.g. "Step.THROTTLING: ...").
    static func execute(
        _ argv: [String], job: StepJob, environment extra: [String: String], stdin: Data? = nil, timeout: TimeInterval? = nil
    ) throws(StepFailure) -> ProcessRunner.Outcome {
        var environment = job.baseEnvironment
        for (key, value) in extra { environment[key] = job.sandbox.rewrite(value) }
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try ProcessRunner.shared.run(
                job.sandbox.wrap(argv), environment: environment, directory: workingDirectory(job),
                stdoutPath: job.stdoutPath, stderrPath: job.stderrPath, stdin: stdin, timeout: timeout)
        } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot start the step", exceptionType: nil)
        }
        if outcome.timedOut {
            throw StepFailure(
                message: "the step ran past its MaxRuntimeInSeconds (\(Int(timeout ?? 0)) s) and was stopped", exceptionType: nil)
        }
        if outcome.exitCode != 0 {
            let failureFile = job.sandbox.root + "/output/failure"
            let reported = (try? String(contentsOfFile: failureFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            let type = reported.flatMap { text in RetryFacts.exceptionTypes.first { text.hasPrefix($0) } } ?? "SageMaker.JOB_INTERNAL_ERROR"
            var message =
                outcome.signalled
                ? "the process was killed by signal \(outcome.exitCode)" : "the process exited with code \(outcome.exitCode)"
            if let reported, !reported.isEmpty {
                message += ": \(reported.prefix(1000))"
            } else if let last = lastLine(of: job.stderrPath) {
                message += "; last error line: \(last)"
            }
            throw StepFailure(message: message, exceptionType: type)
        }
        return outcome
    }

    /// Runs a stand-in with the step's resolved inputs as JSON: on standard input, in the file
    /// named by PIPEOPS_INPUTS_FILE, and in PIPEOPS_INPUTS when small enough for an environment
    /// variable (Linux refuses one string over 128 KiB at exec).
    static func runWithInputs(_ argv: [String], job: StepJob, inputs: Node) throws(StepFailure) {
        let text = CanonicalJSON.string(inputs)
        var environment = ["PIPEOPS_INPUTS_FILE": job.logDirectory + "/stdin"]
        if text.utf8.count <= 64 * 1024 { environment["PIPEOPS_INPUTS"] = text }
        _ = try execute(argv, job: job, environment: environment, stdin: Data(text.utf8))
    }

    /// How a container runs a script-mode entry point: by its `#!` line, a `.sh` file by the
    /// shell, anything else by python3 (the SDK's `_repack_script_launcher.sh` is a shell script).
    static func interpreter(for hostPath: String) -> [String] {
        if let handle = FileHandle(forReadingAtPath: hostPath) {
            defer { try? handle.close() }
            let head = String(decoding: handle.readData(ofLength: 256), as: UTF8.self)
            if head.hasPrefix("#!"), let line = head.dropFirst(2).split(separator: "\n").first {
                let words = line.split(separator: " ").map(String.init)
                // "#!/usr/bin/env python3" → python3 from PATH, as in the image.
                if words.first?.hasSuffix("/env") == true, words.count > 1 { return Array(words.dropFirst()) }
                if !words.isEmpty { return words }
            }
        }
        return hostPath.hasSuffix(".sh") ? ["/bin/sh"] : ["python3"]
    }

    /// A job's ContainerArguments as a JSON list, what a stand-in finds in PIPEOPS_CONTAINER_ARGUMENTS.
    static func argumentsJSON(_ node: Node?) -> String {
        CanonicalJSON.string(Node(.array((node?.elements ?? []).compactMap { Evaluator.text($0) }.map { Node(.string($0)) })))
    }

    static func lastLine(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { String($0.prefix(300)) }
    }

    static func stage(_ uri: String, into containerPath: String, job: StepJob, what: String) throws(StepFailure) {
        let target = try hostPath(job, containerPath, what: what)
        guard job.stageInputs else {
            try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            return
        }
        do { try job.context.s3.download(uri, to: target) } catch {
            throw StepFailure(message: "\(what): \(error.errorDescription ?? "cannot stage \(uri)")", exceptionType: nil)
        }
    }

    static func upload(_ containerPath: String, to uri: String, job: StepJob) throws(StepFailure) {
        let source = try hostPath(job, containerPath, what: "output LocalPath")
        do { try job.context.s3.upload(source, to: uri) } catch {
            throw StepFailure(message: error.errorDescription ?? "cannot upload to \(uri)", exceptionType: nil)
        }
    }
}
