import ArgumentParser
import Foundation
import PipeOpsKit

extension GraphRenderer.Format: ExpressibleByArgument {}

extension PipeOps {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the step dependency graph (Mermaid or Graphviz dot).",
            discussion: "Edges: DependsOn (dashed), data references, and Condition branches (if true / if false)."
        )

        @Argument(help: "Definition file. Default: the manifest's definition.")
        var file: String?

        @Option(help: "Output format: mermaid or dot.")
        var format: GraphRenderer.Format = .mermaid

        func run() throws {
            let path = try DefinitionLocator.locate(file)
            let document: Document
            do {
                document = try DocumentLoader.load(path: path)
            } catch {
                switch error {
                case .syntax(let file, let syntax): throw PipeOpsError.invalidDocument(path: file, location: syntax.location, message: syntax.message)
                case .io(let error): throw error
                }
            }
            Terminal.output(GraphRenderer.render(Pipeline(document: document), as: format))
        }
    }
}

/// Finds the definition a command works on: the named file, or the manifest's.
enum DefinitionLocator {
    static func locate(_ file: String?) throws -> String {
        if let file { return file }
        let cwd = FileManager.default.currentDirectoryPath
        guard let manifestPath = Manifest.find(from: cwd) else { throw PipeOpsError.manifestNotFound(searchedFrom: cwd) }
        let manifest: Manifest
        do {
            manifest = try Manifest.load(path: manifestPath)
        } catch {
            switch error {
            case .syntax(let file, let syntax): throw PipeOpsError.invalidDocument(path: file, location: syntax.location, message: syntax.message)
            case .io(let error): throw error
            }
        }
        guard let definition = manifest.definition else {
            throw PipeOpsError.message("\(manifestPath): pipeline.definition is not set; add the path of the definition file")
        }
        return manifest.resolve(definition)
    }
}
