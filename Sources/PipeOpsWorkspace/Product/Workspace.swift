import Foundation
import PipeOpsModel

extension Workspace {
    /// The product around `directory`, seen through the selected pipeline.
    public func product() throws(PipeOpsError) -> Product { try Product.locate(from: directory, pipeline: pipeline) }

    /// The product with its manifest, definition and environments, for render, diff, run and promote.
    public func context() throws(PipeOpsError) -> ProductContext { try ProductContext.load(from: directory, pipeline: pipeline) }
}
