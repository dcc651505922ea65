import Crypto
import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// A definition written with the SageMaker Python SDK: `pipeline.definition` names a `.py` file
/// defining `get_pipeline(**kwargs)`. It is compiled to JSON under `.pipeops/compiled/` and every
/// command reads that; the compile is cached by the content of the product's Python sources,
/// pipeops.yaml, the interpreter and the SDK installed for it, so an unchanged product never
/// starts Python twice.
extension PythonDefinition {
    public struct Compiled: Sendable {
        /// The compiled JSON.
        public var path: String
        public var fromCache: Bool
        /// What the SDK uploaded while compiling, captured into the product's local S3.
        public var uploads: [String]
        public var sdkVersion: String?
        public var pythonVersion: String?
        /// The botocore of the compile interpreter (its SageMaker API model's release).
        public var botocoreVersion: String?
    }

    /// `.pipeops/compiled`, or `.pipeops/compiled/pipelines/<key>` for one of several pipelines.
    /// An environment's own `kwargs:` compile under `…/environments/<name>`.
    static func cacheDirectory(_ manifest: Manifest) -> String {
        Layout.compiled(manifest.directory) + (manifest.selectedPipeline.map { "/pipelines/" + $0 } ?? "")
            + (manifest.compileVariant.map { name in
                "/environments/" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            } ?? "")
    }

    /// The compiled definition of `manifest`, from the cache when nothing it depends on changed.
    public static func compile(_ manifest: Manifest, force: Bool = false) throws(PipeOpsError) -> Compiled {
        guard let relative = manifest.definition else { throw .message("pipeline.definition is not set in pipeops.yaml") }
        let source = manifest.resolve(sourceFile(relative, in: manifest.directory))
        guard FileManager.default.fileExists(atPath: source), let entry = entry(relative) else {
            throw .message("\(relative): no such file or module (pipeline.definition in pipeops.yaml)")
        }
        let python = try interpreter(manifest)
        let directory = cacheDirectory(manifest)
        let output = directory + "/definition.json"
        let info = directory + "/compile.json"
        let epoch = manifest.clockOverride ?? commitTime(manifest)
        let base = try baseKey(manifest, interpreter: python, epoch: epoch)
        // A compile whose product code never read the clock holds for any commit time.
        let timeless = try baseKey(manifest, interpreter: python, epoch: nil)
        if !force,
            let compiled = cached(base: base, manifest: manifest, directory: directory)
                ?? cached(base: timeless, manifest: manifest, directory: directory)
        {
            return compiled
        }

        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .writeFailed(directory, reason: AtomicFile.reason(error))
        }
        // One compile at a time per product; a second pipeops waits, then finds it cached.
        let lock = try FileLock(path: directory + "/compile.lock", purpose: "compiling \(relative)")
        defer { lock.release() }
        if !force,
            let compiled = cached(base: base, manifest: manifest, directory: directory)
                ?? cached(base: timeless, manifest: manifest, directory: directory)
        {
            return compiled
        }

        notice?("compiling \(relative) with \(python.display)")
        let token = UUID().uuidString.prefix(8)
        let driver = directory + "/.driver-\(token).py"
        let kwargs = directory + "/.kwargs-\(token).json"
        let settings = directory + "/.settings-\(token).json"
        let temporaryOutput = directory + "/.definition-\(token).json"
        let temporaryInfo = directory + "/.compile-\(token).json"
        defer { for path in [driver, kwargs, settings, temporaryOutput, temporaryInfo] { unlink(path) } }
        let config = directory + "/sagemaker-config.yaml"
        // Inputs of the compile's child, written without an atomic write's fsyncs (four of them
        // cost a first compile ~0.2 s).
        try PlainFile.write(Data(PythonDriver.source.utf8), to: driver)
        try PlainFile.write(CanonicalJSON.data(manifest.pythonKwargs ?? Node(.object([]))), to: kwargs)
        // The user's and the admin's SDK defaults do not reach the compile: both point here, and
        // this is empty (the driver switches telemetry off; see PythonDriver).
        try PlainFile.write(Data("# pipeops compile: no SageMaker SDK defaults\n".utf8), to: config)
        let (region, account) = target(manifest)
        let role = manifest.roleArn.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "pipeops-compile"
        try PlainFile.write(
            CanonicalJSON.data(
                Node(object: [
                    ("source", Node(.string(source))), ("product", Node(.string(manifest.directory))),
                    ("module", entry.module.map { Node(.string($0)) } ?? Node(.null)), ("attribute", Node(.string(entry.attribute))),
                    ("sysPath", Node(.array(([manifest.directory] + manifest.pythonPath.map(manifest.resolve)).map { Node(.string($0)) }))),
                    ("variables", manifest.compileVariables ?? Node(.object([]))),
                    ("kwargs", Node(.string(kwargs))), ("out", Node(.string(temporaryOutput))), ("info", Node(.string(temporaryInfo))),
                    ("s3Root", Node(.string(Layout.s3(manifest.directory)))), ("region", Node(.string(region))),
                    ("account", Node(.string(account))), ("role", Node(.string(role))), ("epoch", Node(.integer(Int(epoch)))),
                    ("answers", manifest.offlineAnswers ?? Node(.object([]))), ("written", Node(.string(directory + "/written"))),
                    ("placeholder", Node(.string(PythonDriver.productPlaceholder))),
                ])), to: settings)
        let result = try run(
            python, arguments: [driver, settings], environment: hermeticEnvironment(region: region, config: config),
            directory: manifest.directory, timeout: manifest.compileTimeout ?? defaultTimeout, relative: relative)
        guard result.status == 0 else { throw failure(result, relative: relative, python: python) }
        guard let data = FileManager.default.contents(atPath: temporaryOutput) else {
            throw .message("compiling \(relative) wrote no definition")
        }
        do { _ = try DocumentLoader.parse(data: data, path: relative, syntax: .json) } catch {
            throw .message(
                "compiling \(relative) produced a definition that is not JSON: \(error.toolError(display: relative).errorDescription ?? "")"
            )
        }
        let recorded = FileManager.default.contents(atPath: temporaryInfo) ?? Data("{}".utf8)
        try AtomicFile.write(data, to: output)
        try AtomicFile.write(recorded, to: info)
        try AtomicFile.write(
            CanonicalJSON.data(
                readKey(base: Self.clockRead(recorded) ? base : timeless, info: recorded, manifest: manifest), pretty: true),
            to: directory + "/key")
        var compiled = read(info: info, output: output)
        compiled.fromCache = false
        return compiled
    }

    static func read(info: String, output: String) -> Compiled {
        let root = FileManager.default.contents(atPath: info).flatMap {
            try? DocumentLoader.parse(data: $0, path: "compile.json", syntax: .json).root
        }
        return Compiled(
            path: output, fromCache: true, uploads: root?["uploads"]?.elements?.compactMap(\.string) ?? [],
            sdkVersion: root?["sdk"]?.string, pythonVersion: root?["python"]?.string, botocoreVersion: root?["botocore"]?.string)
    }

    /// Region and account the offline SDK sees: `region` and `account` kwargs, else defaults.
    static func target(_ manifest: Manifest) -> (region: String, account: String) {
        let kwargs = manifest.pythonKwargs
        return (kwargs?["region"]?.string ?? defaultRegion, kwargs?["account"]?.string ?? defaultAccount)
    }

    /// No AWS credentials or configuration of the user's reach the SDK; it gets dummy ones, a
    /// region, telemetry off, and a proxy that refuses every connection, so nothing leaves the machine.
    static func hermeticEnvironment(region: String, config: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("SAGEMAKER_") }
        environment["AWS_ACCESS_KEY_ID"] = "PIPEOPSCOMPILEOFFLINE"
        environment["AWS_SECRET_ACCESS_KEY"] = "pipeops-compile-offline"
        environment["AWS_DEFAULT_REGION"] = region
        environment["AWS_REGION"] = region
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["SAGEMAKER_USER_CONFIG_OVERRIDE"] = config
        environment["SAGEMAKER_ADMIN_CONFIG_OVERRIDE"] = config
        environment["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONHASHSEED"] = "0"
        for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { environment[proxy] = "http://127.0.0.1:9" }
        environment["NO_PROXY"] = ""
        environment["no_proxy"] = ""
        return environment
    }

    /// sha256 over what the compile depends on besides the product files it reads (those are
    /// checked one by one, see `cached`): the interpreter (path, size, time), the SDK and botocore
    /// installed for it (their dist-info names), PYTHONPATH, the kwargs, the offline answers, the
    /// region and account it is told, the clock and the driver's version. pipeops.yaml as such is
    /// not in it: a comment or an environment added there recompiles nothing.
    /// Whether the compile's product code read the clock (an older driver's record: assume so).
    static func clockRead(_ info: Data) -> Bool {
        (try? DocumentLoader.parse(data: info, path: "compile.json", syntax: .json).root)?["clockRead"]?.bool ?? true
    }

    /// `epoch` nil: the key of a compile that read no clock.
    static func baseKey(_ manifest: Manifest, interpreter: Interpreter, epoch: Int64?) throws(PipeOpsError) -> String {
        let (region, account) = target(manifest)
        var lines: [String] = [
            "driver \(PythonDriver.version)", "pythonpath \(ProcessInfo.processInfo.environment["PYTHONPATH"] ?? "")",
            "definition \(manifest.definition ?? "")",
            "kwargs \(CanonicalJSON.string(manifest.pythonKwargs ?? Node(.object([])), sortKeys: true))",
            "offline \(CanonicalJSON.string(manifest.offlineAnswers ?? Node(.object([])), sortKeys: true))",
            "target \(region) \(account) \(manifest.roleArn ?? "")", "clock \(epoch.map(String.init) ?? "unread")",
        ]
        var info = stat()
        if stat(interpreter.path, &info) == 0 {
            lines.append("interpreter \(interpreter.path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
        }
        lines += installedPackages(for: interpreter.path).map { "package \($0)" }
        return DefinitionHashes.sha256(Data(lines.joined(separator: "\n").utf8))
    }

    static let skippedFolders: Set<String> = ["__pycache__", "venv", "node_modules", "site-packages", "dist-packages", "build", "dist"]

    /// The product's `*.py` files, relative, sorted (hidden folders, venvs and caches skipped).
    package static func pythonSources(below root: String) -> [String] {
        var found: [String] = []
        func walk(_ relative: String, depth: Int) {
            guard depth < 32, found.count < 5_000 else { return }
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") && !skippedFolders.contains(name) {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + child, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    if FileManager.default.fileExists(atPath: root + "/" + child + "/pyvenv.cfg") { continue }
                    walk(child, depth: depth + 1)
                } else if info.st_mode & S_IFMT == S_IFREG && name.hasSuffix(".py") {
                    found.append(child)
                }
            }
        }
        walk("", depth: 0)
        return found
    }

    /// What the last compile of `manifest` recorded (nil before the first compile).
    public static func lastCompile(_ manifest: Manifest) -> Compiled? {
        let directory = cacheDirectory(manifest)
        guard FileManager.default.fileExists(atPath: directory + "/compile.json") else { return nil }
        return read(info: directory + "/compile.json", output: directory + "/definition.json")
    }

    /// What the SDK uploaded while compiling, as objects `upsert` publishes (from .pipeops/s3).
    /// Reads what the compile that loading the product just ran (or found current) recorded,
    /// without hashing the sources again.
    public static func capturedUploads(_ manifest: Manifest) throws(PipeOpsError) -> [CodeUpload] {
        guard let definition = manifest.definition, isPython(definition) else { return [] }
        let directory = cacheDirectory(manifest)
        guard FileManager.default.fileExists(atPath: directory + "/definition.json") else {
            throw .message("\(definition) has not been compiled; run 'pipeops compile'")
        }
        let compiled = read(info: directory + "/compile.json", output: directory + "/definition.json")
        let root = Layout.s3(manifest.directory) + "/"
        var uploads: [CodeUpload] = []
        for uri in compiled.uploads {
            guard let (bucket, key) = S3URI.split(uri) else { continue }
            let path = root + bucket + "/" + key
            guard FileManager.default.fileExists(atPath: path) else {
                throw .message("\(uri) was uploaded while compiling but is gone from .pipeops/s3; run 'pipeops compile --force'")
            }
            uploads.append(CodeUpload(bucket: bucket, key: key, path: path, sha256: try CodeTree.digest(path, shown: uri)))
        }
        return uploads
    }

    /// `sagemaker-*` and `botocore-*` dist-info folders where this interpreter finds packages:
    /// its venv's site-packages, then the system's dist-packages.
    static func installedPackages(for interpreter: String) -> [String] {
        let bin = URL(fileURLWithPath: interpreter).deletingLastPathComponent()
        var folders: [String] = []
        for base in [bin.deletingLastPathComponent().path, "/usr", "/usr/local"] {
            for lib in ["lib", "lib64"] {
                let libPath = base + "/" + lib
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: libPath)) ?? [] where entry.hasPrefix("python3") {
                    folders += [libPath + "/" + entry + "/site-packages", libPath + "/" + entry + "/dist-packages"]
                }
            }
        }
        folders.append("/usr/lib/python3/dist-packages")
        var packages: [String] = []
        for folder in folders {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where (entry.hasPrefix("sagemaker") || entry.hasPrefix("botocore") || entry.hasPrefix("boto3")) && entry.hasSuffix("-info") {
                packages.append(folder + "/" + entry)
            }
        }
        return packages.sorted()
    }

    struct RunResult {
        var status: Int32
        var stderr: String
        var timedOut: Bool
    }

    static func run(
        _ python: Interpreter, arguments: [String], environment: [String: String], directory: String, timeout: Double, relative: String
    ) throws(PipeOpsError) -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python.path)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice // the SDK's log lines; the definition goes to a file
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch {
            throw .message("cannot start \(python.display): \(error.localizedDescription)")
        }
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            box.data = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        var timedOut = false
        if !process.waitForExit(until: Date().addingTimeInterval(timeout)) {
            timedOut = true
            process.terminate()
            if !process.waitForExit(until: Date().addingTimeInterval(2)) { kill(process.processIdentifier, SIGKILL) }
        }
        _ = process.waitForExit()
        group.wait()
        if timedOut {
            throw .message(
                "compiling \(relative) took longer than \(Int(timeout)) s and was stopped; raise pipeline.compileTimeout in pipeops.yaml if it needs longer"
            )
        }
        return RunResult(status: process.terminationStatus, stderr: String(decoding: box.data, as: UTF8.self), timedOut: false)
    }

    static func failure(_ result: RunResult, relative: String, python: Interpreter) -> PipeOpsError {
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        switch result.status {
        case 3:
            let tail = lines.suffix(12).joined(separator: "\n")
            // The SDK's @step default image exists for a few Python versions only.
            let stepImage =
                result.stderr.range(of: #"Default image is supported only for Python versions [0-9. and,]+"#, options: .regularExpression)
                .map {
                    "\n@step without image_uri: \(result.stderr[$0].dropFirst("Default image is supported only for ".count)) have one, so the compile interpreter must be one of those; point pipeline.python at a venv of such a Python (e.g. python3.10 -m venv .venv), or give each @step an image_uri"
                } ?? ""
            let builder = entry(relative)?.attribute ?? "get_pipeline"
            return .message("\(relative): \(builder) failed (Python traceback, last frames):\n\(tail)\(stepImage)")
        case 7:
            let tail = lines.suffix(12).joined(separator: "\n")
            let missing = lines.last?.contains("ModuleNotFoundError") == true
            return .message(
                "\(relative): importing the file raised an exception (Python traceback, last frames):\n\(tail)"
                    + (missing ? "\nthe module is not installed for \(python.display), or not on its path (PYTHONPATH)" : ""))
        case 4:
            let detail =
                lines.last.map { $0.hasPrefix("pipeops: ") ? String($0.dropFirst(9)) : $0 } ?? "the SageMaker Python SDK cannot be imported"
            return .message(
                "\(detail) — install it for \(python.display): \(python.display) -m pip install 'sagemaker<3' (or set pipeline.python to a venv that has it)"
            )
        case 5, 6:
            return .message(lines.last.map { String($0.dropFirst("pipeops: ".count)) } ?? "\(relative) is not a pipeline definition")
        default:
            return .message(
                "compiling \(relative) with \(python.display) failed (exit \(result.status)): \(lines.suffix(6).joined(separator: "\n"))")
        }
    }
}

/// An exclusive `flock` held while a shared file is rebuilt; released on release() or death.
final class FileLock {
    let descriptor: Int32

    init(path: String, purpose: String, timeout: TimeInterval = 600) throws(PipeOpsError) {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed(path, reason: String(cString: strerror(errno))) }
        let deadline = Date().addingTimeInterval(timeout)
        var said = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(descriptor)
                throw .message("another pipeops has been \(purpose) for \(Int(timeout)) s (lock \(path)); try again")
            }
            if !said {
                PythonDefinition.notice?("waiting for another pipeops \(purpose)")
                said = true
            }
            usleep(50_000)
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
