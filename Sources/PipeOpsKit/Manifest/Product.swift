import Foundation

/// The product around a directory: its manifest (if any) and the definition it names.
public struct Product: Sendable {
    public var manifest: Manifest?
    public var directory: String

    /// Finds pipeops.yaml by walking up from `directory`; a product without one is allowed.
    public static func locate(from directory: String = FileManager.default.currentDirectoryPath) throws(PipeOpsError) -> Product {
        guard let path = Manifest.find(from: directory) else { return Product(manifest: nil, directory: directory) }
        do {
            return Product(manifest: try Manifest.load(path: path), directory: directory)
        } catch {
            throw Product.describe(error)
        }
    }

    public var tagPrefix: String { manifest?.tagPrefix ?? "v" }

    /// The manifest's definition, loaded, with its path relative to `directory` for display.
    public func definition() throws(PipeOpsError) -> (path: String, root: Node)? {
        guard let manifest, let relative = manifest.definition else { return nil }
        let path = manifest.resolve(relative)
        do {
            let document = try DocumentLoader.load(path: path)
            return (DisplayPath(base: directory)(path), document.root)
        } catch {
            throw Product.describe(error)
        }
    }

    public func requireManifest() throws(PipeOpsError) -> Manifest {
        guard let manifest else { throw .manifestNotFound(searchedFrom: directory) }
        return manifest
    }

    static func describe(_ error: LoadError) -> PipeOpsError {
        switch error {
        case .syntax(let file, let syntax): return .invalidDocument(path: file, location: syntax.location, message: syntax.message)
        case .io(let error): return error
        }
    }
}
