import Crypto
import Foundation
import PipeOpsModel

/// The compile venv pipeops makes itself from `pipeline.requirements` (as pre-commit makes hook
/// environments): keyed by the requirement files' bytes and the base interpreter, created once
/// under the cache (`<cache>/compile-venvs/<key>`), atomically (a half-made venv is never used),
/// and shared by every product and clone with the same requirements.
enum CompileEnvironment {
    /// The venv's interpreter, made now when it does not exist yet.
    static func interpreter(for manifest: Manifest, requirements: [String]) throws(PipeOpsError) -> PythonDefinition.Interpreter {
        // Found, not run: a lint with everything cached starts no Python (the version is checked
        // when the venv is made; the interpreter's size and time stand for it in the key).
        let base = try baseInterpreter(manifest, probe: false)
        var info = stat()
        let identity = stat(base.path, &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec)" : ""
        var hasher = SHA256()
        hasher.update(data: Data("pipeops-compile-venv-1\n\(base.path)\n\(identity)\n".utf8))
        for relative in requirements {
            let path = manifest.resolve(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                // A project folder (pyproject.toml or setup.py): its dependencies are installed with it.
                hasher.update(data: Data("\(relative)/\n".utf8))
                for file in ["pyproject.toml", "setup.py", "setup.cfg"] {
                    if let data = FileManager.default.contents(atPath: path + "/" + file) { hasher.update(data: data) }
                }
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .message(
                    "\(Manifest.fileName): pipeline.requirements names \(relative), which does not exist; list the files the builder's imports are installed from"
                )
            }
            hasher.update(data: Data("\(relative)\n".utf8))
            hasher.update(data: data)
        }
        let key = String(hasher.finalize().hex.prefix(16))
        let root = InterpreterAPIModel.cacheRoot + "/compile-venvs"
        let venv = root + "/" + key
        let python = PythonDefinition.Interpreter(path: venv + "/bin/python", display: "the compile venv \(key) (pipeline.requirements)")
        if FileManager.default.fileExists(atPath: venv + "/.pipeops-complete") { return python }
        do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw .writeFailed(root, reason: AtomicFile.reason(error))
        }
        let lock = try FileLock(path: root + "/\(key).lock", purpose: "making the compile venv \(key)", timeout: 1800)
        defer { lock.release() }
        if FileManager.default.fileExists(atPath: venv + "/.pipeops-complete") { return python }
        let probed = try baseInterpreter(manifest, probe: true)
        PythonDefinition.notice?(
            "making the compile venv \(key) with \(probed.display) (Python \(probed.version)): pip install -r \(requirements.joined(separator: " -r ")); once for these requirements"
        )
        try? FileManager.default.removeItem(atPath: venv) // an earlier attempt that did not finish
        let requirementPaths = requirements.flatMap { relative in
            var isDirectory: ObjCBool = false
            let path = manifest.resolve(relative)
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? [path] : ["-r", path]
        }
        for (arguments, what) in [
            (["-m", "venv", venv], "python -m venv"),
            (["-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + requirementPaths, "pip install"),
        ] {
            let executable = what == "pip install" ? python.path : base.path
            let result = run(executable, arguments)
            guard result.status == 0 else {
                try? FileManager.default.removeItem(atPath: venv)
                let tail = result.output.split(separator: "\n").suffix(6).joined(separator: "\n")
                throw .message("making the compile venv failed at \(what) (exit \(result.status)):\n\(tail)")
            }
        }
        // Complete only now: a kill before this line leaves a venv that is made anew next time.
        guard FileManager.default.createFile(atPath: venv + "/.pipeops-complete", contents: Data(key.utf8)) else {
            throw .writeFailed(venv + "/.pipeops-complete", reason: "cannot write")
        }
        return python
    }

    struct Base {
        var path: String
        var display: String
        var version: String
    }

    /// The Python the venv is made with: the one the product asks for (`.python-version`, or
    /// `requires-python` / `python_requires` naming one minor version), else python3 on PATH.
    static func baseInterpreter(_ manifest: Manifest, probe: Bool) throws(PipeOpsError) -> Base {
        let (wanted, why) = requiredVersion(manifest)
        let name = wanted.map { "python" + $0 } ?? "python3"
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { String($0) + "/" + name }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw .message(
                wanted.map {
                    "the product needs Python \($0) (\(why ?? "")), and \(name) is not on PATH; install it (apt-get install \(name) \(name)-venv) or set pipeline.python to a venv of that Python"
                }
                    ?? "python3 is not on PATH: install Python 3 (apt-get install python3 python3-venv) to make the compile venv")
        }
        guard probe else { return Base(path: path, display: name, version: wanted ?? "3") }
        let answer = run(path, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        let version = answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer.status == 0, !version.isEmpty else { throw .message("\(path) does not run: \(answer.output.prefix(200))") }
        if let wanted, !version.hasPrefix(wanted + ".") {
            throw .message("the product needs Python \(wanted) (\(why ?? "")), but \(name) is Python \(version)")
        }
        return Base(path: path, display: name, version: version)
    }

    /// A minor version the product names, and where it says so.
    static func requiredVersion(_ manifest: Manifest) -> (String?, String?) {
        let read = { (file: String) in (try? String(contentsOfFile: manifest.resolve(file), encoding: .utf8)) ?? "" }
        if let line = read(".python-version").split(separator: "\n").first,
            let minor = line.trimmingCharacters(in: .whitespaces).firstMatch(of: /^(3\.\d+)/)
        {
            return (String(minor.1), ".python-version")
        }
        for (file, key) in [("pyproject.toml", "requires-python"), ("setup.py", "python_requires")] {
            let text = read(file)
            if let match = text.firstMatch(of: /(?:requires-python|python_requires)\s*=\s*["'](?:==|~=)\s*(3\.\d+)(?:\.\*)?["']/) {
                return (String(match.1), "\(file) \(key)")
            }
        }
        return (nil, nil)
    }

    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        _ = process.waitForExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
