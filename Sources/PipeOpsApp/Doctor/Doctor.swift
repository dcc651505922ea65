import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// What `pipeops doctor` reports: how this pipeops was built and what it found around it.
/// Every check is read-only and quick; none needs the network or credentials.
public struct DoctorReport: Sendable {
    public struct Check: Sendable {
        public enum Status: String, Sendable { case ok, note, missing }
        public var name: String
        public var status: Status
        public var detail: String
    }

    public var checks: [Check]

    /// Runs every check. `environment` is the process environment (tests pass their own).
    public static func gather(environment: [String: String] = ProcessInfo.processInfo.environment) -> DoctorReport {
        var checks: [Check] = []
        let executable = Sandbox.runningExecutable ?? "pipeops"
        checks.append(Check(name: "pipeops", status: .ok, detail: "\(PipeOpsVersion.current) at \(executable)"))
        if let helper = Sandbox.helper {
            checks.append(Check(name: "sandbox helper", status: .ok, detail: helper))
        } else {
            checks.append(
                Check(
                    name: "sandbox helper", status: .note,
                    detail: "pipeops-sandbox is not beside the binary; steps enter their namespace through unshare + sh (slower)"))
        }
        let isolation = IsolationMode.detected
        checks.append(Check(name: "isolation", status: isolation == .rewrite ? .note : .ok, detail: Self.describe(isolation)))
        checks.append(Check(name: "libgit2", status: .ok, detail: GitRepository.libraryVersion))
        checks.append(
            Check(
                name: "API model", status: .ok,
                detail:
                    "SageMaker API as of botocore \(ServiceShapesData.botocoreVersion) (built in; a Python definition compiled with a newer botocore is checked against that one, lint --api-model FILE names another)"
            ))
        let python = environment["PIPEOPS_PYTHON"] ?? "python3"
        if let found = Self.which(python, environment: environment) {
            let sdk = Self.output(
                [found, "-c", "from importlib.metadata import version; print(version('sagemaker'))"], environment: environment)
            checks.append(
                Check(name: "python", status: .ok, detail: found + (environment["PIPEOPS_PYTHON"] != nil ? " (PIPEOPS_PYTHON)" : "")))
            checks.append(
                Check(
                    name: "sagemaker SDK", status: sdk == nil ? .missing : .ok,
                    detail: sdk.map { "sagemaker \($0)" } ?? "not importable by \(found): pip install 'sagemaker<3' for .py definitions"))
        } else {
            checks.append(Check(name: "python", status: .missing, detail: "\(python) not found on PATH (needed only for .py definitions)"))
        }
        if let moto = Self.which("moto_server", environment: environment) {
            checks.append(Check(name: "moto", status: .ok, detail: moto))
        } else {
            checks.append(Check(name: "moto", status: .missing, detail: "moto_server not on PATH (needed only by the test suite)"))
        }
        return DoctorReport(checks: checks)
    }

    static func describe(_ mode: IsolationMode) -> String {
        switch mode {
        case .namespace: return "namespace: each step sees its own sandbox at /opt/ml (private mount namespace)"
        case .userNamespace: return "user-namespace: each step sees its own sandbox at /opt/ml (user + mount namespace)"
        case .rewrite: return "rewrite: no mount namespaces here; /opt/ml in entry points, arguments and environment is rewritten"
        }
    }

    /// The path of `command` on PATH (or itself when it contains a slash and is executable).
    static func which(_ command: String, environment: [String: String]) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The first line a command prints, or nil when it fails.
    static func output(_ argv: [String], environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        _ = process.waitForExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init)
    }
}
