import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// The product around a directory: its manifest (if any) and the definition it names.
public struct Product: Sendable {
    public var manifest: Manifest?
    public var directory: String

    /// Finds pipeops.yaml by walking up from `directory`; a product without one is allowed.
    /// With several pipelines, `pipeline` names the one to work on (it must, for commands that
    /// work on one: see `Manifest.selecting`).
    /// `anyPipeline`: a product that lists several is returned as it is, for commands that work
    /// on each of them (`compile`).
    public static func locate(
        from directory: String = FileManager.default.currentDirectoryPath, pipeline: String? = nil, anyPipeline: Bool = false
    ) throws(PipeOpsError) -> Product {
        guard let path = Manifest.find(from: directory) else {
            if let pipeline { throw .invalidArgument("--pipeline \(pipeline): there is no pipeops.yaml here to name pipelines") }
            return Product(manifest: nil, directory: directory)
        }
        let manifest: Manifest
        do { manifest = try Manifest.load(path: path) } catch { throw error.toolError() }
        try manifest.requireContained(display: DisplayPath(base: directory)(path))
        if anyPipeline && pipeline == nil { return Product(manifest: manifest, directory: directory) }
        return Product(manifest: try manifest.selecting(pipeline), directory: directory)
    }

    public var tagPrefix: String { manifest?.tagPrefix ?? "v" }

    /// The manifest's definition, loaded, with its path relative to `directory` for display.
    public func definition() throws(PipeOpsError) -> (path: String, root: Node)? {
        guard let manifest, manifest.definition != nil, let path = try manifest.loadableDefinition() else { return nil }
        do {
            let document = try DocumentLoader.load(path: path)
            return (DisplayPath(base: directory)(path), document.root)
        } catch {
            throw error.toolError()
        }
    }

    public func requireManifest() throws(PipeOpsError) -> Manifest {
        guard let manifest else { throw .manifestNotFound(searchedFrom: directory) }
        return manifest
    }

    /// The definition a command works on: `file` when given, else the manifest's, loaded.
    /// `display` is the path as messages show it.
    public func loadDefinition(_ file: String? = nil, syntax: LoadError.SyntaxReport = .error) throws(PipeOpsError) -> Document {
        var path: String
        if let file {
            path = file
        } else {
            let manifest = try requireManifest()
            guard manifest.definition != nil, let loadable = try manifest.loadableDefinition() else {
                throw .message("\(manifest.document.path): pipeline.definition is not set; add the path of the definition file")
            }
            path = loadable
        }
        if PythonDefinition.isPython(path) {
            guard let manifest, let own = manifest.definition, manifest.resolve(own) == URL(fileURLWithPath: path).standardizedFileURL.path
            else {
                throw .invalidArgument(
                    "\(path) is Python: name it as pipeline.definition in pipeops.yaml, and pipeops compiles it (pipeops compile)")
            }
            path = try manifest.loadableDefinition() ?? path
        }
        let display = DisplayPath(base: directory)(path.hasPrefix("/") ? path : directory + "/" + path)
        do {
            var document = try DocumentLoader.load(path: path)
            document.path = display
            return document
        } catch {
            throw error.toolError(display: display, syntax: syntax)
        }
    }
}
