import Foundation
import PipeOpsAnalysis
import PipeOpsModel

extension Manifest {
    /// The lint settings pipeops.yaml gives, for every gate alike (lint, run, upsert, start,
    /// promote, an environment's file): the rules it disables for the product and per step, and
    /// what its property files contain. The samples describe the manifest's own definition only:
    /// pass them for that definition and leave them out for any other file.
    public func lintSettings(display: DisplayPath) throws(PipeOpsError) -> (options: LintOptions, samples: [String: PropertySample]) {
        let options = lintOptions
        var samples: [String: PropertySample] = [:]
        for spec in propertyFiles {
            if let sample = spec.sample {
                samples[spec.name] = .sample(try Self.loadSample(resolve(sample), display: display), source: sample)
            } else if let schema = spec.schema {
                samples[spec.name] = .schema(try Self.loadSample(resolve(schema), display: display), source: schema)
            }
        }
        return (options, samples)
    }

    /// The rules it disables for the product and per step, without reading the property files
    /// (what an environment file's lint uses).
    public var lintOptions: LintOptions {
        var options = LintOptions()
        options.disabled = lintDisabled
        options.disabledForStep = lintDisabledForStep
        return options
    }

    /// A property-file sample or schema (JSON or YAML); a broken one is an error at its line.
    public static func loadSample(_ path: String, display: DisplayPath) throws(PipeOpsError) -> Node {
        do {
            return try DocumentLoader.load(path: path).root
        } catch {
            switch error {
            case .syntax(_, let syntax):
                throw .invalidDocument(path: display(path), location: syntax.location, message: "property-file sample: \(syntax.message)")
            case .io(let io): throw io.renamingAnyPath(to: display(path))
            }
        }
    }
}
