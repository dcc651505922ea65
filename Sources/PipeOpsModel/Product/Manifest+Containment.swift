import Foundation

/// Every path pipeops.yaml names stays inside the product.
extension Manifest {
    func containmentProblems() -> [StructureProblem] {
        let root = document.root
        // (what the path is, the path, where it is written)
        var named: [(what: String, path: String, node: Node?)] = []
        for entry in pipelines {
            if let definition = entry.definition {
                named.append(
                    ("\(entry.context).definition", PythonDefinition.sourceFile(definition, in: directory), entry.node["definition"]))
            }
            for folder in entry.pythonPath { named.append(("a \(entry.context).pythonPath folder", folder, entry.node["pythonPath"])) }
        }
        for environment in environments {
            if let parameters = environment.parameters {
                named.append(("the parameters of environment '\(environment.name)'", parameters, environment.node["parameters"]))
            }
        }
        for spec in propertyFiles {
            if let sample = spec.sample { named.append(("the sample of property file \(spec.name)", sample, spec.node["sample"])) }
            if let schema = spec.schema { named.append(("the schema of property file \(spec.name)", schema, spec.node["schema"])) }
        }
        for mount in localS3 { named.append(("the local.s3 folder of \(mount.prefix)", mount.path, root["local"]?["s3"]?[mount.prefix])) }
        for entry in code { named.append(("the code folder of \(entry.prefix)", entry.path, entry.node)) }
        return named.compactMap { item in
            guard let outside = outsideProduct(item.path) else { return nil }
            return StructureProblem(
                message:
                    "\(item.what), '\(item.path)', is outside the product (it resolves to \(outside)); every path pipeops.yaml names must stay inside the product's folder",
                location: (item.node ?? root).location, severity: .error)
        }
    }

    /// The resolved path when `relative` leaves the product folder, else nil.
    public func outsideProduct(_ relative: String) -> String? {
        let product = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: resolve(relative)).resolvingSymlinksInPath().path
        return resolved == product || resolved.hasPrefix(product + "/") ? nil : resolved
    }

    /// Throws the first path that leaves the product, as `pipeops.yaml:line:col: error: …`
    /// (`display`: the manifest's path as messages show it).
    public func requireContained(display: String = Manifest.fileName) throws(PipeOpsError) {
        guard let first = escapes.first else { return }
        throw .message("\(display):\(first.location.line):\(first.location.column): error: \(first.message)")
    }
}
