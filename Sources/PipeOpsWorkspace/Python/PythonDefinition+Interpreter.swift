import Foundation
import PipeOpsModel

extension PythonDefinition {
    struct Interpreter {
        /// As found (a venv's bin/python, not what it links to: the venv is what has the SDK).
        var path: String
        var display: String
    }

    /// The interpreter's path, for the local engine: a Python product's steps find it first on
    /// PATH (a `@step` runs `python -m sagemaker…` in an image that has the SDK it was built with).
    package static func interpreterPath(_ manifest: Manifest) throws(PipeOpsError) -> String {
        try interpreter(manifest).path
    }

    /// `pipeline.python`, else the compile venv of `pipeline.requirements` (made by pipeops),
    /// else `$PIPEOPS_PYTHON`, else `python3` on PATH.
    static func interpreter(_ manifest: Manifest) throws(PipeOpsError) -> Interpreter {
        if manifest.python == nil, !manifest.compileRequirements.isEmpty {
            return try CompileEnvironment.interpreter(for: manifest, requirements: manifest.compileRequirements)
        }
        let environment = ProcessInfo.processInfo.environment
        let name = manifest.python ?? environment["PIPEOPS_PYTHON"] ?? "python3"
        let source =
            manifest.python != nil ? "pipeline.python" : environment["PIPEOPS_PYTHON"] != nil ? "PIPEOPS_PYTHON" : "python3 on PATH"
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : manifest.resolve(name)
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw .message(
                    "the Python interpreter \(name) (\(source)) does not exist or is not executable; create the venv (python3 -m venv …) or fix \(source)"
                )
            }
            return Interpreter(path: path, display: name)
        }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = String(folder) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return Interpreter(path: candidate, display: name) }
        }
        throw .message(
            "\(name) is not on PATH (\(source)); install Python 3 (apt-get install python3 python3-venv) or set pipeline.python in pipeops.yaml to a venv's python"
        )
    }
}
