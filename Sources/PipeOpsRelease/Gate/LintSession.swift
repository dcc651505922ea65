import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// What `pipeops lint` was asked to do.
public struct LintRequest: Sendable {
    /// Definition files; empty means "the manifest's definition, manifest and environment files".
    public var files: [String]
    /// `--property-sample NAME=FILE` pairs (override pipeops.yaml's propertyFiles).
    public var propertySamples: [(name: String, path: String)]
    /// Directory paths are shown relative to, and where the manifest search starts.
    public var workingDirectory: String
    /// `--api-model FILE`: a SageMaker API model (`scripts/gen-shapes.py --json`) to check against
    /// instead of the embedded one or a Python definition's interpreter's.
    public var apiModel: String?
    /// The pipeline to lint when pipeops.yaml lists several; nil lints every one.
    public var pipeline: String?
    /// Whether this lint checks the shared environment values against every pipeline (off for
    /// each pipeline of `lintEveryPipeline`, which checks them once).
    var checksSharedValues = true

    public init(
        files: [String] = [], propertySamples: [(name: String, path: String)] = [],
        workingDirectory: String = FileManager.default.currentDirectoryPath, apiModel: String? = nil
    ) {
        self.files = files
        self.propertySamples = propertySamples
        self.workingDirectory = workingDirectory
        self.apiModel = apiModel
    }
}

/// Lints what a request names, with the manifest's settings when there is one.
public enum LintSession {
    public static func run(_ request: LintRequest) throws(PipeOpsError) -> LintReport {
        let manifestPath = Manifest.find(from: request.workingDirectory)
        var manifest: Manifest?
        var findings: [Finding] = []
        var files: [String] = []
        let display = DisplayPath(base: request.workingDirectory)

        if let manifestPath {
            var loaded: Manifest?
            do {
                loaded = try Manifest.load(path: manifestPath)
            } catch {
                let mapped = error.toolError(display: display(manifestPath), syntax: .finding)
                guard case .findings(let found) = mapped else { throw mapped }
                findings += found
                files.append(display(manifestPath))
            }
            if var loaded {
                loaded.document.path = display(manifestPath)
                if request.files.isEmpty && request.pipeline == nil && loaded.hasSeveralPipelines {
                    return try lintEveryPipeline(request, manifest: loaded, display: display)
                }
                manifest = try loaded.selecting(request.pipeline)
            }
        }
        var options = LintOptions()
        if let path = request.apiModel {
            do { options.apiModel = try ServiceShapes.load(file: absolutePath(path, base: request.workingDirectory)) } catch {
                throw (error as? PipeOpsError ?? .message("\(path): \(error)")).renamingAnyPath(to: path)
            }
        }
        // What the manifest says property files contain describes the manifest's own definition,
        // not every file that happens to be linted from inside the product.
        var manifestSamples: [String: PropertySample] = [:]
        if let manifest {
            let settings = try manifest.lintSettings(display: display)
            options.disabled = settings.options.disabled
            options.disabledForStep = settings.options.disabledForStep
            manifestSamples = settings.samples
            options.sharedEnvironments = manifest.hasSeveralPipelines
        }
        var flagSamples: [String: PropertySample] = [:]
        for (name, path) in request.propertySamples {
            let absolute = absolutePath(path, base: request.workingDirectory)
            flagSamples[name] = .sample(try Manifest.loadSample(absolute, display: display), source: path)
        }
        let manifestDefinition = manifest?.definition.map { manifest!.resolve($0) }
        func makeLinter(for definitionPath: String?) -> Linter {
            var settings = options
            if let definitionPath, definitionPath == manifestDefinition { settings.propertySamples = manifestSamples }
            settings.propertySamples.merge(flagSamples) { _, flag in flag }
            return Linter(options: settings)
        }
        var linter = makeLinter(for: manifestDefinition)

        if request.files.isEmpty {
            guard manifestPath != nil else { throw PipeOpsError.manifestNotFound(searchedFrom: request.workingDirectory) }
            guard let manifest else { return LintReport(findings: findings, files: files) }
            files.append(manifest.document.path)
            findings += linter.lint(manifest: manifest)
            var pipeline: Pipeline?
            if let source = manifest.definitionSource, FileManager.default.fileExists(atPath: source),
                let path = try manifest.loadableDefinition()
            {
                // A definition compiled by a newer SDK is checked against the API that SDK knows.
                if request.apiModel == nil, PythonDefinition.isPython(manifest.definition!),
                    let compiled = PythonDefinition.lastCompile(manifest)
                {
                    linter.options.apiModel = InterpreterAPIModel.model(for: compiled, manifest: manifest)
                }
                if PythonDefinition.isPython(manifest.definition!),
                    !linter.options.disabled.contains(SecretsInRepositoryRule.description.id)
                {
                    findings += secretsInPythonSources(manifest, display: display)
                }
                if FileManager.default.fileExists(atPath: path) {
                    files.append(display(path))
                    switch load(path, display: { display($0) }) {
                    case .success(let document):
                        pipeline = Pipeline(document: document)
                        let own = linter.lint(definition: document)
                        let source = manifest.definitionSource!
                        findings +=
                            PythonDefinition.isPython(source) ? PythonDefinition.locate(own, in: source, display: display(source)) : own
                    case .failure(.syntax(let file, let error)): findings.append(Finding.syntax(file: file, error))
                    case .failure(.io(let error)): throw error
                    }
                }
            }
            var loaded: [(name: String, path: String, result: Result<Document, LoadError>)] = []
            for environment in manifest.environments {
                guard let parameters = environment.parameters else { continue }
                let path = manifest.resolve(parameters)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                loaded.append((environment.name, path, load(path, display: { display($0) })))
            }
            // Every environment's values, so the leak rule can tell an environment's own value
            // from one they all share.
            var values: [String: [String: Node]] = [:]
            for entry in loaded {
                guard case .success(let document) = entry.result else { continue }
                values[entry.name] = EnvironmentFile(document: document).values
            }
            let artifacts = manifest.artifactURIs
            for entry in loaded {
                files.append(display(entry.path))
                switch entry.result {
                case .success(let document):
                    findings += linter.lint(
                        environment: document, named: entry.name, against: pipeline, siblings: values.filter { $0.key != entry.name },
                        manifestRoleArn: manifest.roleArn, artifactURIs: artifacts)
                case .failure(.syntax(let file, let error)): findings.append(Finding.syntax(file: file, error))
                case .failure(.io(let error)): throw error
                }
            }
            if manifest.hasSeveralPipelines && request.checksSharedValues {
                findings += undeclaredEnvironmentValues(manifest, display: display)
            }
            findings = dayOneImages(findings, manifest: manifest)
            var report = LintReport(findings: findings, files: files)
            report.apiModel = linter.options.apiModel
            return report
        } else {
            for file in request.files {
                let path = absolutePath(file, base: request.workingDirectory)
                files.append(file)
                switch load(path, display: { _ in file }) {
                case .success(let document):
                    if (file as NSString).lastPathComponent == Manifest.fileName {
                        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
                        findings += makeLinter(for: nil).lint(manifest: Manifest(document: document, directory: directory))
                    } else {
                        findings += makeLinter(for: path).lint(definition: document)
                    }
                case .failure(.syntax(let name, let error)): findings.append(Finding.syntax(file: name, error))
                case .failure(.io(let error)): throw error
                }
            }
        }
        var report = LintReport(findings: findings, files: files)
        report.apiModel = options.apiModel
        return report
    }

    /// Every pipeline of a product that lists several, each with its own definition and the shared
    /// manifest and environment files (each finding once), then, once, that each environment
    /// value is a parameter of some pipeline.
    static func lintEveryPipeline(_ request: LintRequest, manifest: Manifest, display: DisplayPath) throws(PipeOpsError) -> LintReport {
        var merged = LintReport(findings: [], files: [])
        var seen = Set<String>()
        for (index, entry) in manifest.pipelines.enumerated() {
            var one = request
            one.pipeline = entry.key
            one.checksSharedValues = false
            let report = try run(one)
            if index == 0 { merged.apiModel = report.apiModel }
            for file in report.files where !merged.files.contains(file) { merged.files.append(file) }
            for finding in report.findings
            where seen.insert("\(finding.file):\(finding.location.line):\(finding.location.column):\(finding.rule):\(finding.message)")
                .inserted
            {
                merged.findings.append(finding)
            }
        }
        merged.findings += undeclaredEnvironmentValues(manifest, display: display)
        return merged
    }

    /// Environment values that none of the product's pipelines declares (each pipeline's own
    /// lint leaves out the others' values).
    static func undeclaredEnvironmentValues(_ manifest: Manifest, display: DisplayPath) -> [Finding] {
        var declared = Set<String>()
        for entry in manifest.pipelines {
            guard let selected = try? manifest.selecting(entry.key), let path = try? selected.loadableDefinition(),
                let document = try? DocumentLoader.load(path: path)
            else { return [] } // a pipeline that does not load says so itself; nothing to compare with
            declared.formUnion(Pipeline(document: document).parameters.map(\.name))
        }
        var findings: [Finding] = []
        for environment in manifest.environments {
            guard let relative = environment.parameters, let document = try? DocumentLoader.load(path: manifest.resolve(relative))
            else { continue }
            if let node = document.root["pipelineName"] {
                findings.append(
                    Finding(
                        rule: "environment-parameter", severity: .error,
                        message:
                            "environment '\(environment.name)' sets pipelineName, but the product has several pipelines, each under its own name (pipelines.<name>.name); remove it",
                        file: display(manifest.resolve(relative)), location: node.location))
            }
            for member in EnvironmentFile(document: document).parameters where !declared.contains(member.key) {
                findings.append(
                    Finding(
                        rule: "environment-parameter", severity: .error,
                        message:
                            "environment '\(environment.name)' sets '\(member.key)', which none of the product's pipelines (\(manifest.pipelines.map(\.key).joined(separator: ", "))) declares\(Suggestion.hint(member.key, in: declared.sorted()) ?? "")",
                        file: display(manifest.resolve(relative)), location: member.keyLocation))
            }
        }
        return findings
    }

    /// A Python definition's sources are no YAML or JSON: they are scanned as text.
    static func secretsInPythonSources(_ manifest: Manifest, display: DisplayPath) -> [Finding] {
        var findings: [Finding] = []
        for file in PythonDefinition.pythonSources(below: manifest.directory) {
            guard let text = try? String(contentsOfFile: manifest.directory + "/" + file, encoding: .utf8) else { continue }
            for hit in SecretScanner.scan(text) {
                findings.append(
                    Finding(
                        rule: SecretsInRepositoryRule.description.id, severity: .error,
                        message: SecretsInRepositoryRule.message(hit),
                        file: display(manifest.directory + "/" + file), location: SourceLocation(line: hit.line, column: hit.column),
                        step: nil))
            }
        }
        return findings
    }

    /// Unpinned images are infos while no environment after the first has been promoted: nothing
    /// unpinned has shipped, and the gates refuse it before it does. The ledger is read only
    /// when there is such a finding.
    static func dayOneImages(_ findings: [Finding], manifest: Manifest) -> [Finding] {
        guard findings.contains(where: { $0.rule == ImageDigestRule.description.id && $0.severity == .warning }),
            let first = manifest.environments.first?.name
        else { return findings }
        let shipped = ((try? GitRepository.discover(from: manifest.directory)).flatMap { try? Ledger.promotedEnvironments(in: $0) } ?? [])
            .contains { $0 != first }
        if shipped { return findings }
        return findings.map { finding in
            guard finding.rule == ImageDigestRule.description.id, finding.severity == .warning else { return finding }
            var day = finding
            day.severity = .info
            day.message += "; nothing is wrong yet: no environment after '\(first)' has been promoted"
            return day
        }
    }

    static func load(_ path: String, display: (String) -> String) -> Result<Document, LoadError> {
        do {
            var document = try DocumentLoader.load(path: path)
            document.path = display(path)
            return .success(document)
        } catch {
            switch error {
            case .syntax(_, let syntax): return .failure(.syntax(path: display(path), syntax))
            case .io(let io): return .failure(.io(io.renamingAnyPath(to: display(path))))
            }
        }
    }

    static func absolutePath(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }
}
