import Foundation

/// A problem found while reading a manifest or environment file's structure.
public struct StructureProblem: Sendable, Equatable {
    public var message: String
    public var location: SourceLocation
    public var severity: Severity
}

/// The product manifest, `pipeops.yaml` (see `schemas/pipeops.schema.json`).
public struct Manifest: Sendable {
    public struct Environment: Sendable {
        public var name: String
        /// Parameter-set file, relative to the manifest directory.
        public var parameters: String?
        /// Whether CI starts an execution after upserting (false for prod: upsert only).
        public var execute: Bool
        /// Which evidence promotion *to* this environment accepts from the one before.
        public var requiredEvidence: Evidence
        public var node: Node
    }

    /// What counts as "the environment before ran it".
    public enum Evidence: String, Sendable, CaseIterable {
        /// Any record: a promotion, a local smoke run or a SageMaker execution.
        case any
        /// Only a succeeded SageMaker execution (`pipeops start --wait`) of the same hashes.
        case sagemaker
    }

    /// A code folder and the S3 prefix it is published under (`code:`).
    public struct CodeEntry: Sendable {
        public var prefix: String
        public var path: String
        public var node: Node
    }

    public struct PropertyFileSpec: Sendable {
        public var name: String
        public var sample: String?
        public var schema: String?
        public var node: Node
    }

    public static let fileName = "pipeops.yaml"

    public var document: Document
    /// Absolute directory holding pipeops.yaml; relative paths in it resolve from here.
    public var directory: String
    /// Every pipeline of the product (`pipeline:` is one; `pipelines:` lists several).
    public var pipelines: [PipelineEntry] = []
    /// The `pipelines:` key the fields below are of, when the product has several.
    public var selectedPipeline: String?
    public var pipelineName: String?
    public var definition: String?
    public var roleArn: String?
    /// For a `.py` definition: keyword arguments of `get_pipeline`, the interpreter, the time limit.
    public var pythonKwargs: Node?
    /// The environment whose `kwargs:` this manifest compiles with (its own compile cache).
    public var compileVariant: String?
    public var python: String?
    /// `pipeline.requirements`: the compile venv pipeops makes (see PipeOpsWorkspace's CompileEnvironment).
    public var compileRequirements: [String] = []
    public var compileTimeout: Double?
    /// The file `pipeline.definition` is read from (a Python entry's source file), absolute.
    public var definitionSource: String? { definition.map { resolve(PythonDefinition.sourceFile($0, in: directory)) } }
    /// `pipeline.pythonPath`: folders (of the product) put on sys.path for a Python definition,
    /// after the product's root, which is always there.
    public var pythonPath: [String] = []
    /// `pipeline.variables`: environment variables a Python builder reads while it is compiled.
    public var compileVariables: Node?
    /// `pipeline.offline`: answers of AWS calls a Python definition makes while it is compiled
    /// ("service.Operation" → the response), for calls pipeops does not answer itself.
    public var offlineAnswers: Node?
    /// The clock a compile reads instead of the HEAD commit's time (a copy of the product that
    /// has no git history, checked against the original).
    public var clockOverride: Int64?
    public var environments: [Environment] = []
    public var propertyFiles: [PropertyFileSpec] = []
    /// `local.s3`: S3 prefix → folder (relative to the manifest directory).
    public var localS3: [(prefix: String, path: String)] = []
    /// `code`: S3 prefix → code folder, published content-addressed by render and upsert.
    public var code: [CodeEntry] = []
    /// `local.steps.<Step>.command`.
    public var localSteps: [String: [String]] = [:]
    /// `local.steps.<Step>.stageInputs: false`: the stand-in does not read the step's inputs,
    /// so nothing is staged for it (its input folders exist, empty).
    public var localStepsUnstaged: Set<String> = []
    /// `local.steps.<Step>.outputs`: fixed OutputParameters for Lambda and Callback stand-ins.
    public var localStepOutputs: [String: Node] = [:]
    public var lintDisabled: Set<String> = []
    public var lintDisabledForStep: [String: Set<String>] = [:]
    /// Prefix of release tags (`v` by default; e.g. `churn-model/v` in a monorepo).
    public var tagPrefix: String = "v"
    /// Whether `promote` requires HEAD to be on a release tag.
    public var requireReleaseTag: Bool = true
    public var problems: [StructureProblem] = []

    /// Walks up from `directory` to the first folder holding pipeops.yaml.
    public static func find(from directory: String, fileManager: FileManager = .default) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if fileManager.fileExists(atPath: candidate) { return candidate }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : URL(fileURLWithPath: directory).appendingPathComponent(relative).standardizedFileURL.path
    }

    /// `code:` as folders. A folder must lie inside the product (after resolving symbolic
    /// links): render and upsert publish what it holds.
    public func codeFolders() throws(PipeOpsError) -> [CodeFolder] {
        let product = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        return try code.map { entry throws(PipeOpsError) in
            let path = URL(fileURLWithPath: resolve(entry.path)).resolvingSymlinksInPath().path
            guard path == product || path.hasPrefix(product + "/") else {
                throw .message(
                    "\(Manifest.fileName):\(entry.node.location.line):\(entry.node.location.column): error: code folder '\(entry.path)' is outside the product; only folders of the product are published"
                )
            }
            let display = path == product ? "." : String(path.dropFirst(product.count + 1))
            return CodeFolder(prefix: entry.prefix, directory: path, display: display)
        }
    }

    public func environment(named name: String) -> Environment? {
        environments.first { $0.name == name }
    }

    public static func load(path: String) throws(LoadError) -> Manifest {
        let document = try DocumentLoader.load(path: path)
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        return Manifest(document: document, directory: directory)
    }

    public init(document: Document, directory: String) {
        self.document = document
        self.directory = directory
        var reader = StructureReader()
        let root = document.root
        guard root.members != nil else {
            reader.problem("pipeops.yaml must be a mapping with 'version', 'pipeline' and 'environments'", at: root)
            problems = reader.problems
            return
        }
        reader.allowOnly(root, Keys.top, in: "pipeops.yaml")
        if let version = root["version"] {
            if version.int != 1 {
                reader.problem("unsupported manifest version \(version.brief); this pipeops reads version 1", at: version)
            }
        } else {
            reader.problem("missing 'version: 1' at the top of pipeops.yaml", at: root, severity: .warning)
        }
        readPipelines(root, &reader)
        if let environments = reader.object(root, "environments", in: "pipeops.yaml") {
            for member in environments.members ?? [] {
                guard member.value.members != nil else {
                    reader.problem(
                        "environment '\(member.key)' must be a mapping such as { parameters: environments/\(member.key).yaml }",
                        at: member.value)
                    continue
                }
                reader.allowOnly(member.value, Keys.environment, in: "environments.\(member.key)")
                let parameters = reader.string(member.value, "parameters", in: "environments.\(member.key)")
                let execute = reader.bool(member.value, "execute", in: "environments.\(member.key)") ?? true
                var evidence = Evidence.any
                if let text = reader.string(member.value, "requireEvidence", in: "environments.\(member.key)") {
                    if let parsed = Evidence(rawValue: text) {
                        evidence = parsed
                    } else if let node = member.value["requireEvidence"] {
                        reader.problem("requireEvidence must be 'sagemaker' or 'any', not '\(text)'", at: node)
                    }
                }
                self.environments.append(
                    Environment(name: member.key, parameters: parameters, execute: execute, requiredEvidence: evidence, node: member.value))
            }
        }
        if let code = reader.object(root, "code", in: "pipeops.yaml") {
            for member in code.members ?? [] {
                let keyNode = Node(.string(member.key), at: member.keyLocation)
                guard let bucket = S3URI.split(member.key), !bucket.bucket.isEmpty else {
                    reader.problem("code key '\(member.key)' must be an S3 prefix such as s3://bucket/code/", at: keyNode)
                    continue
                }
                if bucket.key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
                    reader.problem("code prefix '\(member.key)' must not contain '.' or '..' segments", at: keyNode)
                    continue
                }
                guard let path = member.value.string, !path.isEmpty else {
                    reader.problem(
                        "code '\(member.key)' must map to a folder of the product, not a \(member.value.typeName)", at: member.value)
                    continue
                }
                if self.code.contains(where: { $0.prefix == member.key }) { continue }
                self.code.append(CodeEntry(prefix: member.key, path: path, node: member.value))
            }
        }
        if let files = reader.object(root, "propertyFiles", in: "pipeops.yaml") {
            for member in files.members ?? [] {
                guard member.value.members != nil else {
                    reader.problem("propertyFiles.\(member.key) must be { sample: FILE } or { schema: FILE }", at: member.value)
                    continue
                }
                reader.allowOnly(member.value, Keys.propertyFile, in: "propertyFiles.\(member.key)")
                let sample = reader.string(member.value, "sample", in: "propertyFiles.\(member.key)")
                let schema = reader.string(member.value, "schema", in: "propertyFiles.\(member.key)")
                if sample == nil && schema == nil {
                    reader.problem("propertyFiles.\(member.key) needs 'sample' or 'schema'", at: member.value)
                }
                propertyFiles.append(PropertyFileSpec(name: member.key, sample: sample, schema: schema, node: member.value))
            }
        }
        if let local = reader.object(root, "local", in: "pipeops.yaml") {
            reader.allowOnly(local, Keys.local, in: "local")
            if let s3 = reader.object(local, "s3", in: "local") {
                for member in s3.members ?? [] {
                    if !member.key.hasPrefix("s3://") {
                        reader.problem(
                            "local.s3 key '\(member.key)' must be an S3 prefix such as s3://bucket/prefix/",
                            at: Node(.null, at: member.keyLocation))
                    }
                    if let path = member.value.string {
                        localS3.append((member.key, path))
                    } else {
                        reader.problem(
                            "local.s3 '\(member.key)' must map to a folder path, not a \(member.value.typeName)", at: member.value)
                    }
                }
            }
            if let steps = reader.object(local, "steps", in: "local") {
                for member in steps.members ?? [] {
                    reader.allowOnly(member.value, Keys.localStep, in: "local.steps.\(member.key)")
                    if reader.bool(member.value, "stageInputs", in: "local.steps.\(member.key)") == false {
                        localStepsUnstaged.insert(member.key)
                    }
                    if let command = member.value["command"] {
                        if let argv = command.elements?.compactMap(\.string), argv.count == command.elements?.count, !argv.isEmpty {
                            localSteps[member.key] = argv
                        } else {
                            reader.problem("local.steps.\(member.key).command must be a non-empty list of strings (argv)", at: command)
                        }
                    }
                    if let outputs = member.value["outputs"] {
                        if outputs.members != nil {
                            localStepOutputs[member.key] = outputs
                        } else {
                            reader.problem("local.steps.\(member.key).outputs must be a mapping of output name to value", at: outputs)
                        }
                    }
                }
            }
        }
        if let lint = reader.object(root, "lint", in: "pipeops.yaml") {
            reader.allowOnly(lint, Keys.lint, in: "lint")
            lintDisabled = Set(reader.stringList(lint, "disable", in: "lint") ?? [])
            if let steps = reader.object(lint, "steps", in: "lint") {
                for member in steps.members ?? [] {
                    reader.allowOnly(member.value, Keys.lintStep, in: "lint.steps.\(member.key)")
                    lintDisabledForStep[member.key] = Set(reader.stringList(member.value, "disable", in: "lint.steps.\(member.key)") ?? [])
                }
            }
        }
        if let release = reader.object(root, "release", in: "pipeops.yaml") {
            reader.allowOnly(release, Keys.release, in: "release")
            if let prefix = reader.string(release, "tagPrefix", in: "release") { tagPrefix = prefix }
            if let require = reader.bool(release, "requireTag", in: "release") { requireReleaseTag = require }
        }
        problems = reader.problems
        escapes = containmentProblems()
        problems += escapes
    }

    /// Paths pipeops.yaml names that leave the product (after `..` and symbolic links): each is
    /// an error at its line, and every command but lint refuses the product (`requireContained`).
    public var escapes: [StructureProblem] = []
}

/// Reads typed keys out of a node, collecting problems instead of failing.
struct StructureReader {
    var problems: [StructureProblem] = []

    mutating func problem(_ message: String, at node: Node, severity: Severity = .error) {
        problems.append(StructureProblem(message: message, location: node.location, severity: severity))
    }

    mutating func allowOnly(_ node: Node, _ keys: [String], in context: String) {
        for member in node.members ?? [] where !keys.contains(member.key) {
            let hint = Suggestion.hint(member.key, in: keys) ?? " (known: \(keys.joined(separator: ", ")))"
            problems.append(
                StructureProblem(
                    message: "unknown key '\(member.key)' in \(context)\(hint)", location: member.keyLocation, severity: .warning))
        }
    }

    mutating func object(_ node: Node, _ key: String, in context: String, required: Bool = false) -> Node? {
        guard let value = node[key] else {
            if required { problem("missing '\(key)' in \(context)", at: node) }
            return nil
        }
        guard value.members != nil else {
            problem("'\(key)' in \(context) must be a mapping, not a \(value.typeName)", at: value)
            return nil
        }
        return value
    }

    mutating func string(_ node: Node, _ key: String, in context: String, required: Bool = false) -> String? {
        guard let value = node[key] else {
            if required { problem("missing '\(key)' in \(context)", at: node) }
            return nil
        }
        guard let string = value.string else {
            problem("'\(key)' in \(context) must be a string, not a \(value.typeName)", at: value)
            return nil
        }
        return string
    }

    mutating func bool(_ node: Node, _ key: String, in context: String) -> Bool? {
        guard let value = node[key] else { return nil }
        guard let bool = value.bool else {
            problem("'\(key)' in \(context) must be true or false, not \(value.brief)", at: value)
            return nil
        }
        return bool
    }

    mutating func stringList(_ node: Node, _ key: String, in context: String) -> [String]? {
        guard let value = node[key] else { return nil }
        guard let elements = value.elements else {
            problem("'\(key)' in \(context) must be a list of strings, not a \(value.typeName)", at: value)
            return nil
        }
        var strings: [String] = []
        for element in elements {
            if let string = element.string { strings.append(string) } else { problem("'\(key)' entries must be strings", at: element) }
        }
        return strings
    }
}
