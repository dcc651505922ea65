import Foundation

/// Where a command works, and on which of the product's pipelines: the one way every use case
/// opens a product (`--pipeline` picks one when pipeops.yaml lists several).
public struct Workspace: Sendable {
    public var directory: String
    /// A `pipelines:` key (or a pipeline's name); nil for a product with one pipeline.
    public var pipeline: String?

    public init(directory: String = FileManager.default.currentDirectoryPath, pipeline: String? = nil) {
        self.directory = directory
        self.pipeline = pipeline
    }
}
