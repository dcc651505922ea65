import Foundation
import PipeOpsAnalysis
import PipeOpsModel

extension Manifest {
    /// Where the product's own code lives in S3: the `code:` prefixes and what the last Python
    /// compile uploaded. Environments share these by design (no environment's data).
    public var artifactURIs: [String] {
        code.map { $0.prefix.hasSuffix("/") ? $0.prefix : $0.prefix + "/" }
            + (definition.map(PythonDefinition.isPython) == true ? PythonDefinition.lastCompile(self)?.uploads ?? [] : [])
    }

    /// The file commands read the definition from: the definition itself, or for a `.py`
    /// definition its compiled JSON (compiled now when its inputs changed).
    public func loadableDefinition() throws(PipeOpsError) -> String? {
        guard let definition else { return nil }
        guard PythonDefinition.isPython(definition) else { return resolve(definition) }
        return try PythonDefinition.compile(self).path
    }
}
