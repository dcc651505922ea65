import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// An environment with its file read and checked, and the values it gives every parameter.
public struct ResolvedEnvironment: Sendable {
    public var name: String
    /// Position in the manifest's promotion order.
    public var order: Int
    public var execute: Bool
    /// The parameter-set file as shown to the user, if the environment has one.
    public var filePath: String?
    public var file: EnvironmentFile?
    /// Values the environment sets, by parameter name.
    public var values: [String: Node]
    public var pipelineName: String
    public var roleArn: String?
    public var region: String?
    public var parallelism: Int?
    public var tags: [(key: String, value: String)]
    public var definitionBucket: String?
    /// `images:` pins: repository → `sha256:` digest.
    public var images: [String: String] = [:]
    /// Which evidence promotion to this environment accepts.
    public var requiredEvidence: Manifest.Evidence = .any
}

/// A product loaded for render, diff and promote: manifest, definition and linter settings.
public struct ProductContext: Sendable {
    public var product: Product
    public var manifest: Manifest
    public var pipeline: Pipeline
    /// The definition's path as shown to the user.
    public var definitionPath: String

    public static func load(from directory: String = FileManager.default.currentDirectoryPath, pipeline: String? = nil)
        throws(PipeOpsError) -> ProductContext
    {
        try load(Product.locate(from: directory, pipeline: pipeline), directory: directory)
    }

    /// The context of an already located product (`directory`: where paths are shown from).
    public static func load(_ product: Product, directory: String) throws(PipeOpsError) -> ProductContext {
        let manifest = try product.requireManifest()
        guard let relative = manifest.definition else {
            throw .message("\(DisplayPath(base: directory)(manifest.resolve(Manifest.fileName))): pipeline.definition is not set")
        }
        let path = PythonDefinition.isPython(relative) ? try manifest.loadableDefinition() ?? relative : manifest.resolve(relative)
        return try loading(path, product: product, manifest: manifest, display: DisplayPath(base: directory)(path))
    }

    /// The context of `manifest` with the definition at `path`, shown as `display`.
    static func loading(_ path: String, product: Product, manifest: Manifest, display: String) throws(PipeOpsError) -> ProductContext {
        do {
            var document = try DocumentLoader.load(path: path)
            document.path = display
            return ProductContext(product: product, manifest: manifest, pipeline: Pipeline(document: document), definitionPath: display)
        } catch {
            throw error.toolError(display: display)
        }
    }

    public var environmentNames: [String] { manifest.environments.map(\.name) }

    /// The product as `environment` compiles it: a Python definition whose environment file sets
    /// `kwargs:` is compiled with them over `pipeline.kwargs` (in a compile cache of its own); any
    /// other product is this context.
    public func compiled(for environment: ResolvedEnvironment) throws(PipeOpsError) -> ProductContext {
        guard let overrides = environment.file?.kwargs?.members, !overrides.isEmpty, let entry = manifest.definition,
            PythonDefinition.isPython(entry)
        else { return self }
        var variant = manifest
        var merged = manifest.pythonKwargs?.members ?? []
        for member in overrides {
            if let index = merged.firstIndex(where: { $0.key == member.key }) { merged[index] = member } else { merged.append(member) }
        }
        variant.pythonKwargs = Node(.object(merged))
        variant.compileVariant = environment.name
        guard let path = try variant.loadableDefinition() else { return self }
        return try Self.loading(path, product: product, manifest: variant, display: DisplayPath(base: product.directory)(path))
    }

    /// The product as it is in `commit`: its files written from git into
    /// `.pipeops/releases/<commit>/` (libgit2; the working tree, index and HEAD untouched),
    /// then loaded from there. Reused when already written.
    public func atCommit(_ commit: String) throws(PipeOpsError) -> ProductContext {
        try ProductContext.load(from: try Self.productDirectory(at: commit, manifest: manifest), pipeline: manifest.selectedPipeline)
    }

    /// Where the product of `manifest` is once `commit`'s files are written from git into
    /// `.pipeops/releases/<commit>/` (written once, atomically, then reused).
    package static func productDirectory(at commit: String, manifest: Manifest) throws(PipeOpsError) -> String {
        let repository = try GitRepository.discover(from: manifest.directory)
        guard let root = repository.workingDirectory else { throw .git("a bare repository has no product to promote") }
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let productRoot = URL(fileURLWithPath: manifest.directory).resolvingSymlinksInPath().path
        let prefix = productRoot == realRoot ? "" : String(productRoot.dropFirst(realRoot.count + 1))
        let releases = Layout.releases(manifest.directory)
        let target = releases + "/" + commit
        if !FileManager.default.fileExists(atPath: target) {
            let temporary = releases + "/.export-\(UUID().uuidString.prefix(8))"
            do { try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true) } catch {
                throw .writeFailed(temporary, reason: AtomicFile.reason(error))
            }
            do {
                try repository.export(commit, to: temporary)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
            if rename(temporary, target) != 0 {
                try? FileManager.default.removeItem(atPath: temporary)
                if !FileManager.default.fileExists(atPath: target) { throw .writeFailed(target, reason: String(cString: strerror(errno))) }
            }
        }
        let directory = prefix.isEmpty ? target : target + "/" + prefix
        guard FileManager.default.fileExists(atPath: directory + "/" + Manifest.fileName) else {
            throw .message("commit \(commit.prefix(7)) has no \(prefix.isEmpty ? "" : prefix + "/")\(Manifest.fileName)")
        }
        return directory
    }

    /// Reads and checks one environment. Error-level problems in its file throw `.findings`.
    public func environment(named name: String) throws(PipeOpsError) -> ResolvedEnvironment {
        guard let index = manifest.environments.firstIndex(where: { $0.name == name }) else {
            let names = environmentNames
            let hint = Suggestion.didYouMean(name, in: names)
            throw .invalidArgument(
                "unknown environment '\(name)'\(hint) (pipeops.yaml defines: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
        }
        let entry = manifest.environments[index]
        var file: EnvironmentFile?
        var display: String?
        if let relative = entry.parameters {
            let path = manifest.resolve(relative)
            let shown = DisplayPath(base: product.directory)(path)
            display = shown
            do {
                var document = try DocumentLoader.load(path: path)
                document.path = shown
                var options = manifest.lintOptions
                options.sharedEnvironments = manifest.hasSeveralPipelines
                let findings = Linter(options: options)
                    .lint(
                        environment: document, named: name, against: pipeline, siblings: siblingValues(except: name),
                        manifestRoleArn: manifest.roleArn, artifactURIs: manifest.artifactURIs
                    )
                    .filter { $0.severity == .error }
                if !findings.isEmpty { throw PipeOpsError.findings(findings) }
                file = EnvironmentFile(document: document)
            } catch let error as PipeOpsError {
                throw error
            } catch let error as LoadError {
                throw error.toolError(display: shown, syntax: .finding)
            } catch {
                throw .message("\(shown): \(error)")
            }
        }
        // A product's pipelines share its environment files: each takes the values it declares.
        let declared = Set(pipeline.parameters.map(\.name))
        let values = (file?.values ?? [:]).filter { !manifest.hasSeveralPipelines || declared.contains($0.key) }
        return ResolvedEnvironment(
            name: name, order: index, execute: entry.execute, filePath: display, file: file, values: values,
            // With several pipelines each keeps its own name (an environment's pipelineName would
            // give them all one: lint refuses it).
            pipelineName: (manifest.hasSeveralPipelines ? nil : file?.pipelineName) ?? manifest.pipelineName ?? name,
            roleArn: file?.roleArn ?? manifest.roleArn, region: file?.region, parallelism: file?.parallelism,
            tags: file?.tags.map { ($0.key, $0.value) } ?? [], definitionBucket: file?.definitionBucket, images: file?.images ?? [:],
            requiredEvidence: entry.requiredEvidence)
    }

    /// The manifest's code folders. A folder must lie inside the product (after resolving
    /// symbolic links): render and upsert publish what it holds.
    public func codeFolders() throws(PipeOpsError) -> [CodeFolder] {
        try manifest.codeFolders()
    }

    /// The parameter values of every environment but `name` (files that do not load are left out;
    /// their own errors surface when they are used).
    func siblingValues(except name: String) -> [String: [String: Node]] {
        var values: [String: [String: Node]] = [:]
        for entry in manifest.environments where entry.name != name {
            guard let relative = entry.parameters, let document = try? DocumentLoader.load(path: manifest.resolve(relative)) else {
                values[entry.name] = [:]
                continue
            }
            values[entry.name] = EnvironmentFile(document: document).values
        }
        return values
    }

    /// The environment before `name` in promotion order, if any.
    public func previousEnvironment(before name: String) -> String? {
        guard let index = manifest.environments.firstIndex(where: { $0.name == name }), index > 0 else { return nil }
        return manifest.environments[index - 1].name
    }

    /// Every parameter's value in `environment`: its value there, else the definition's default (nil: required, unset).
    public func effectiveParameters(_ environment: ResolvedEnvironment) -> [(name: String, value: Node?)] {
        pipeline.parameters.map { ($0.name, environment.values[$0.name] ?? $0.defaultValue) }
    }
}
