import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// The SageMaker API model of the botocore that wrote a Python definition, when it is newer than
/// the model built into pipeops: read once with the compile interpreter (the embedded
/// `scripts/gen-shapes.py`) and kept under the pipeops cache by botocore version, so a definition
/// made by a newer SDK is checked against the API that SDK knows.
public enum InterpreterAPIModel {
    /// `$PIPEOPS_CACHE`, else `$XDG_CACHE_HOME/pipeops`, else `~/.cache/pipeops`.
    public static var cacheRoot: String {
        let environment = ProcessInfo.processInfo.environment
        if let root = environment["PIPEOPS_CACHE"], !root.isEmpty { return root }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/pipeops" }
        return NSHomeDirectory() + "/.cache/pipeops"
    }

    static func path(forBotocore version: String) -> String { cacheRoot + "/api-models/botocore-\(version).json" }

    /// The model to lint `compiled` with: the interpreter's when its botocore is newer than the
    /// embedded one and its model can be read, else the embedded model.
    public static func model(for compiled: PythonDefinition.Compiled, manifest: Manifest) -> ServiceShapes {
        let embedded = ServiceShapes.shared
        guard let version = compiled.botocoreVersion, ServiceShapes.isNewer(version, than: embedded.botocoreVersion),
            version.allSatisfy({ $0.isNumber || $0 == "." }) // it names a file
        else { return embedded }
        let file = path(forBotocore: version)
        if let cached = try? ServiceShapes.load(file: file) { return cached.relabelled("botocore \(version) of the compile interpreter") }
        guard let model = try? generate(version: version, into: file, manifest: manifest) else { return embedded }
        return model
    }

    static func generate(version: String, into file: String, manifest: Manifest) throws -> ServiceShapes {
        let python = try PythonDefinition.interpreter(manifest)
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let token = UUID().uuidString
        let script = folder + "/.gen-shapes-\(token).py"
        let output = folder + "/.botocore-\(version)-\(token).json"
        defer {
            try? FileManager.default.removeItem(atPath: script)
            try? FileManager.default.removeItem(atPath: output)
        }
        try Data(ServiceShapesData.generator.utf8).write(to: URL(fileURLWithPath: script))
        let result = try PythonDefinition.run(
            python, arguments: ["-I", script, "--out", output], environment: ["PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"],
            directory: folder, timeout: 60, relative: "the API model of botocore \(version)")
        guard result.status == 0, let data = FileManager.default.contents(atPath: output) else {
            throw PipeOpsError.message("reading botocore \(version)'s API model failed")
        }
        let model = try ServiceShapes(json: Array(data), source: "botocore \(version) of the compile interpreter")
        // Keep it for the next lint: written whole or not at all.
        try AtomicFile.write(data, to: file)
        return model
    }
}
