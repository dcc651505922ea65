import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// How a step's sandbox is presented at `/opt/ml`.
public enum IsolationMode: String, Sendable {
    /// A private mount namespace bind-mounts the sandbox at /opt/ml: scripts that hard-code
    /// /opt/ml paths run unchanged, and concurrent steps each see their own.
    case namespace
    /// The same, inside a user namespace (for non-root users, when /opt/ml exists).
    case userNamespace = "user-namespace"
    /// No namespaces: `/opt/ml` prefixes in the entry point, arguments and environment are
    /// rewritten to the sandbox path. Scripts that hard-code /opt/ml will not find it.
    case rewrite

    /// Detected once per process. `PIPEOPS_ISOLATION=rewrite` forces the fallback. The probe's
    /// answer is kept under the pipeops cache with everything it depends on (`IsolationProbe`),
    /// so a run in the same boot, namespaces and privileges reads it instead of spawning the
    /// probe again (two process starts, several milliseconds of a fully cached rerun).
    public static let detected: IsolationMode = {
        if ProcessInfo.processInfo.environment["PIPEOPS_ISOLATION"] == "rewrite" { return .rewrite }
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: "/usr/bin/unshare") else { return .rewrite }
        let root = getuid() == 0
        if root, !fm.fileExists(atPath: "/opt/ml") { try? fm.createDirectory(atPath: "/opt/ml", withIntermediateDirectories: true) }
        let optML = fm.fileExists(atPath: "/opt/ml")
        let kept = IsolationProbe(file: IsolationProbe.defaultFile)
        let key = IsolationProbe.key(root: root, optML: optML)
        if let key, let known = kept.recall(key) { return known }
        let mode = probe(root: root, optML: optML)
        if let key { kept.remember(mode, for: key) }
        return mode
    }()

    /// What the probe finds: whether `unshare` enters a private mount namespace (root) or a user
    /// and mount namespace (anyone else), where /opt/ml exists to be mounted over.
    static func probe(root: Bool, optML: Bool) -> IsolationMode {
        guard optML else { return .rewrite }
        if root {
            return ProcessRunner.succeeds(["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/true"]) ? .namespace : .rewrite
        }
        return ProcessRunner.succeeds(["/usr/bin/unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "/bin/true"])
            ? .userNamespace : .rewrite
    }

    /// Starts `detected`'s probe on another thread, so that its child process (a mount namespace
    /// entered and left: a few milliseconds, most of them the kernel's) overlaps the work done
    /// before the engine needs the answer; the first read of `detected` waits for it.
    public static func detectInBackground() {
        Thread.detachNewThread { _ = detected }
    }
}

/// One step's `/opt/ml`, as a folder on the host.
public struct Sandbox: Sendable {
    public static let containerRoot = "/opt/ml"
    public let root: String
    public let mode: IsolationMode

    public init(root: String, mode: IsolationMode = .detected) {
        self.root = root
        self.mode = mode
    }

    /// The host path of a container path under /opt/ml; nil for paths outside it.
    public func hostPath(_ containerPath: String) -> String? {
        let normalized = URL(fileURLWithPath: containerPath).standardizedFileURL.path
        if normalized == Self.containerRoot { return root }
        guard normalized.hasPrefix(Self.containerRoot + "/") else { return nil }
        return root + String(normalized.dropFirst(Self.containerRoot.count))
    }

    /// In rewrite mode, `/opt/ml` prefixes become the sandbox path; otherwise text is unchanged.
    public func rewrite(_ text: String) -> String {
        guard mode == .rewrite, text.contains(Self.containerRoot) else { return text }
        return text.replacingOccurrences(of: Self.containerRoot, with: root)
    }

    /// `pipeops-sandbox` next to the running binary (or $PIPEOPS_SANDBOX_HELPER), when present.
    package static let helper: String? = {
        if let path = ProcessInfo.processInfo.environment["PIPEOPS_SANDBOX_HELPER"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        guard let executable = runningExecutable else { return nil }
        let candidate = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("pipeops-sandbox").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// The running binary as the kernel knows it (/proc/self/exe): never argv[0], which is only a
    /// name found on PATH (`pipeops run` from inside a product would look in the product).
    public static let runningExecutable: String? = {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") else {
            return nil
        }
        return path
    }()

    /// The argv that runs `argv` with this sandbox at /opt/ml.
    /// With the helper, the step also runs supervised: in its own process group, with default
    /// signal dispositions, stopped with everything it started when pipeops dies (even by
    /// SIGKILL), is interrupted, or times out (see Sources/pipeops-sandbox/main.c).
    public func wrap(_ argv: [String]) -> [String] {
        let script = "mount --bind \"$0\" /opt/ml && exec \"$@\""
        let supervised = Self.helper.map { [$0, "--no-mount", root] } ?? []
        switch mode {
        case .namespace:
            if let helper = Self.helper { return [helper, root] + argv }
            return ["/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, root] + argv
        case .userNamespace:
            return supervised + [
                "/usr/bin/unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, root,
            ] + argv
        case .rewrite:
            return supervised + argv.map(rewrite)
        }
    }

    /// Creates the SageMaker folders a step of this kind uses.
    public func prepare(_ subfolders: [String]) throws(PipeOpsError) {
        for folder in subfolders {
            do { try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true) } catch {
                throw .message("cannot create the sandbox folder \(folder): \(error.localizedDescription)")
            }
        }
    }
}

/// Runs child processes, remembering them so an interrupt can stop them all.
public final class ProcessRunner: @unchecked Sendable {
    public static let shared = ProcessRunner()
    private let lock = NSLock()
    private var running: [Int32: Process] = [:]

    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var timedOut: Bool
        public var signalled: Bool
    }

    /// Whether `argv` (an absolute path and its arguments) exits 0, reading and writing nothing:
    /// spawned and waited for directly, without `Process`'s descriptor sweep, monitor thread and
    /// polled wait (the isolation probe of every `pipeops run` is one).
    static func succeeds(_ argv: [String]) -> Bool {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid = pid_t()
        guard posix_spawn(&pid, argv[0], &actions, nil, &arguments, environ) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return false }
        }
        // Exited (no terminating signal) with status 0.
        return status & 0x7f == 0 && (status >> 8) & 0xff == 0
    }

    /// How long a child stopped at its timeout has between SIGTERM and SIGKILL. A step run by
    /// `pipeops-sandbox` is stopped by it, group and all, after `PIPEOPS_GRACE` seconds (2); this
    /// is one second more, for the child itself when it runs without the helper (unshare + sh),
    /// where nothing else would end a step that ignores SIGTERM.
    public static let killGrace: TimeInterval = {
        let grace = ProcessInfo.processInfo.environment["PIPEOPS_GRACE"].flatMap { Int($0) } ?? 2
        return TimeInterval(max(grace, 1) + 1)
    }()

    /// Runs `argv` (resolved on PATH when not absolute) and waits; stdout and stderr go to files.
    /// Past `timeout` the child gets SIGTERM, and SIGKILL `grace` seconds later if it is still
    /// running (a step that ignores SIGTERM must not keep the run waiting for ever).
    public func run(
        _ argv: [String], environment: [String: String], directory: String, stdoutPath: String, stderrPath: String,
        stdin: Data? = nil, timeout: TimeInterval? = nil, grace: TimeInterval = ProcessRunner.killGrace
    ) throws(PipeOpsError) -> Outcome {
        guard let first = argv.first else { throw .message("empty command") }
        let process = Process()
        if first.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
        }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        PlainFile.create(stdoutPath)
        PlainFile.create(stderrPath)
        guard let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath) else {
            throw .message("cannot open the step's log files")
        }
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        // Standard input comes from a file beside the logs, not a pipe: a step that exits without
        // reading its input must not make pipeops die of SIGPIPE while writing it.
        var input: FileHandle?
        if let stdin {
            let path = (stdoutPath as NSString).deletingLastPathComponent + "/stdin"
            guard PlainFile.create(path, contents: stdin), let handle = FileHandle(forReadingAtPath: path) else {
                throw .message("cannot write the step's standard input beside its logs")
            }
            input = handle
        }
        defer { try? input?.close() }
        process.standardInput = input ?? FileHandle.nullDevice
        do { try process.run() } catch {
            throw .message("cannot start \(first): \(error.localizedDescription)")
        }
        lock.withLock { running[process.processIdentifier] = process }
        defer { _ = lock.withLock { running.removeValue(forKey: process.processIdentifier) } }
        var timedOut = false
        if let timeout, !process.waitForExit(until: Date().addingTimeInterval(timeout)) {
            timedOut = true
            process.terminate()
            if !process.waitForExit(until: Date().addingTimeInterval(grace)) { kill(process.processIdentifier, SIGKILL) }
        }
        _ = process.waitForExit()
        return Outcome(exitCode: process.terminationStatus, timedOut: timedOut, signalled: process.terminationReason == .uncaughtSignal)
    }

    /// Stops every running child (SIGTERM).
    public func terminateAll() {
        let processes = lock.withLock { Array(running.values) }
        for process in processes where process.isRunning { process.terminate() }
    }
}
