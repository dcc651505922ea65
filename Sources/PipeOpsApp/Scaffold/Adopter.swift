import Foundation
import PipeOpsAWS
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops adopt`: brings an existing repository under pipeops without changing any of its
/// files. It finds the pipeline as repositories write it and writes pipeops.yaml and one
/// environment file per environment, saying what it inferred and what a person must decide.
public enum Adopter {
    public struct Found: Sendable {
        /// `pipeline.definition`: a committed JSON/YAML file or a Python entry.
        public var definition: String
        /// Keyword arguments found (a buildspec's `--kwargs`), with `${VAR}` values kept as text.
        public var kwargs: [(key: String, value: String)]
        /// How it was found, for the report.
        public var how: String
        /// A definition embedded in infrastructure code (a Terraform heredoc, a CloudFormation
        /// PipelineDefinitionBody): adopt writes it to `definition`, a new file.
        public var extracted: String?

        public init(definition: String, kwargs: [(key: String, value: String)], how: String, extracted: String? = nil) {
            self.definition = definition
            self.kwargs = kwargs
            self.how = how
            self.extracted = extracted
        }
    }

    public struct Result: Sendable {
        public var found: [Found]
        /// How many pipelines pipeops.yaml lists, and whether any is Python (compiled).
        public var pipelines = 1
        public var python = false
        public var written: [String]
        public var decide: [String]
    }

    static let skipped: Set<String> = [".git", Layout.stateFolder, "node_modules", ".venv", "venv", "__pycache__", ".tox", "build", "dist"]

    /// Every file of the repository below `root` (relative), skipping VCS, venvs and caches.
    static func files(below root: String) -> [String] {
        var found: [String] = []
        func walk(_ relative: String, depth: Int) {
            guard depth < 12, found.count < 20_000 else { return }
            let path = relative.isEmpty ? root : root + "/" + relative
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() where !skipped.contains(name) {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + child, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    if !FileManager.default.fileExists(atPath: root + "/" + child + "/pyvenv.cfg") { walk(child, depth: depth + 1) }
                } else if info.st_mode & S_IFMT == S_IFREG {
                    found.append(child)
                }
            }
        }
        walk("", depth: 0)
        return found
    }

    static func text(_ root: String, _ file: String) -> String {
        guard let data = FileManager.default.contents(atPath: root + "/" + file), data.count < 2_000_000 else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The pipelines of the repository, most specific evidence first.
    public static func discover(_ root: String) -> [Found] {
        let all = files(below: root)
        var found: [Found] = []
        // SageMaker Projects seed code: the module and kwargs its buildspec passes to run-pipeline.
        for spec in all where spec.hasSuffix(".yml") || spec.hasSuffix(".yaml") {
            let body = text(root, spec)
            guard body.contains("--module-name") else { continue }
            // One run-pipeline line per pipeline, each with its own kwargs.
            for line in body.split(separator: "\n").map(String.init) where line.contains("--module-name") {
                guard let module = firstMatch(#"--module-name[= ]+["']?([A-Za-z_][\w.]*)"#, in: line) else { continue }
                let kwargs = firstMatch(#"--kwargs[= ]+"((?:[^"\\]|\\.)*)""#, in: line).map(parseKwargs) ?? []
                let definition = module + ":get_pipeline"
                if !found.contains(where: { $0.definition == definition }) {
                    found.append(Found(definition: definition, kwargs: kwargs, how: "\(spec) runs run-pipeline --module-name \(module)"))
                }
            }
        }
        // Python builders: get_pipeline, another builder function, a builder class.
        for file in all
        where file.hasSuffix(".py") && !isTest(file) && !found.contains(where: { $0.definition.hasPrefix(module(of: file) + ":") }) {
            let body = text(root, file)
            guard body.contains("Pipeline(") || body.contains("Pipeline (") else { continue }
            if body.contains("def get_pipeline(") {
                found.append(Found(definition: file, kwargs: [], how: "\(file) defines get_pipeline"))
            } else if let function = firstMatch(#"(?m)^def ((?:create|build|make|construct)_\w*pipeline\w*)\("#, in: body) {
                found.append(Found(definition: file + ":" + function, kwargs: [], how: "\(file) defines \(function)"))
            } else if let builder = firstMatch(
                #"(?m)^class (\w+)[:(][\s\S]*?\n    def ((?:get|create|build|make|construct)_\w*pipeline\w*)\(self"#, in: body)
            {
                let method =
                    firstMatch(#"(?m)^    def ((?:get|create|build|make|construct)_\w*pipeline\w*)\(self"#, in: body)
                    ?? "construct_pipeline"
                found.append(
                    Found(definition: file + ":" + builder + "." + method, kwargs: [], how: "\(file) defines class \(builder).\(method)"))
            } else if let variable = firstMatch(#"(?m)^(\w+)\s*=\s*Pipeline\("#, in: body) {
                found.append(Found(definition: file + ":" + variable, kwargs: [], how: "\(file) builds \(variable) at module level"))
            }
        }
        // Definitions committed as JSON or YAML.
        for file in all
        where (file.hasSuffix(".json") || file.hasSuffix(".yaml") || file.hasSuffix(".yml"))
            && !found.contains(where: { $0.definition == file })
        {
            let body = text(root, file)
            guard body.contains("2020-12-01"), body.contains("Steps"),
                let document = try? DocumentLoader.parse(data: Data(body.utf8), path: file),
                document.root["Version"]?.string == "2020-12-01", document.root["Steps"]?.elements != nil
            else { continue }
            found.append(Found(definition: file, kwargs: [], how: "\(file) is a committed definition"))
        }
        found += Infrastructure.definitions(in: root, files: all, text: { text(root, $0) }, taken: found.map(\.definition))
        return found
    }

    /// What the builder's imports install from: the root's requirements*.txt files (not the dev,
    /// test and lint ones). A setup.py or pyproject.toml is not proposed: `pip install .` builds in
    /// the working tree (name it as `requirements: [.]` by hand).
    static func compileRequirements(_ root: String) -> [String]? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        let files = names.filter {
            $0.hasPrefix("requirements") && $0.hasSuffix(".txt") && !$0.contains("test") && !$0.contains("dev") && !$0.contains("lint")
        }
        return files.isEmpty ? nil : files
    }

    /// Test code builds pipelines too; it is no pipeline of the repository.
    static func isTest(_ file: String) -> Bool {
        let name = (file as NSString).lastPathComponent
        return file.hasPrefix("tests/") || file.hasPrefix("test/") || file.contains("/tests/") || name.hasPrefix("test_")
            || name.hasSuffix("_test.py") || name == "conftest.py"
    }

    /// The pipelines adopt writes: every Python entry found; committed definitions only when the
    /// repository has no Python builder (a committed JSON beside a builder is usually its output).
    static func adopted(_ found: [Found]) -> [Found] {
        let python = found.filter { PythonDefinition.isPython($0.definition) }
        return python.isEmpty ? found : python
    }

    /// A `pipelines:` key for an entry: its folder for `…/pipeline.py` (and a module's package), else the file's stem.
    static func key(for definition: String, taken: Set<String>) -> String {
        let target = definition.split(separator: ":").first.map(String.init) ?? definition
        var parts =
            target.hasSuffix(".py") || target.hasSuffix(".json") || target.hasSuffix(".yaml") || target.hasSuffix(".yml")
            ? (target as NSString).deletingPathExtension.split(separator: "/").map(String.init)
            : target.split(separator: ".").map(String.init)
        if parts.count > 1, ["pipeline", "pipeline_definition", "definition", "__init__"].contains(parts.last!) { parts.removeLast() }
        var key = (parts.last ?? "pipeline").map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.reduce("") {
            $0 + String($1)
        }
        if key.isEmpty { key = "pipeline" }
        var unique = key
        var index = 2
        while taken.contains(unique) {
            unique = "\(key)-\(index)"
            index += 1
        }
        return unique
    }

    static func module(of file: String) -> String {
        String(file.dropLast(3)).replacingOccurrences(of: "/", with: ".")
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// A buildspec's `--kwargs "{\"region\":\"${AWS_REGION}\",…}"`, as key and text value.
    static func parseKwargs(_ escaped: String) -> [(key: String, value: String)] {
        let json = escaped.replacingOccurrences(of: #"\""#, with: "\"")
        guard let root = try? DocumentLoader.parse(data: Data(json.utf8), path: "kwargs", syntax: .json).root else { return [] }
        return (root.members ?? []).map { ($0.key, $0.value.string ?? CanonicalJSON.string($0.value)) }
    }

    /// Writes pipeops.yaml and environments/{dev,staging,prod}.yaml for the first pipeline found;
    /// refuses when any of them exists (nothing is changed).
    public static func adopt(_ root: String, name: String?, ci: CIFlavour? = nil) throws(PipeOpsError) -> Result {
        let found = discover(root)
        guard !found.isEmpty else {
            let notes = Infrastructure.unreadable(files: files(below: root), text: { text(root, $0) })
            throw .message(
                "found no pipeline in \(root): no buildspec with --module-name, no Python builder (get_pipeline, create_…pipeline, a builder class, a module-level Pipeline), no committed definition JSON and no Terraform or CloudFormation that embeds one\(notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"); write pipeops.yaml by hand (see 'pipeops init')"
            )
        }
        let environments = ["dev", "staging", "prod"]
        let targets =
            [Manifest.fileName] + environments.map { "environments/\($0).yaml" } + found.filter { $0.extracted != nil }.map(\.definition)
            + (ci?.files.map(\.path) ?? [])
        if let existing = targets.first(where: { FileManager.default.fileExists(atPath: root + "/" + $0) }) {
            throw .message("\(existing) exists already; adopt changes no existing file (remove it, or edit pipeops.yaml by hand)")
        }
        let chosen = adopted(found)
        let repositoryName = URL(fileURLWithPath: root).lastPathComponent.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
            .reduce("") { $0 + String($1) }
        var decide: [String] = []
        var lines = [
            "# Written by pipeops adopt: \(chosen.map(\.how).joined(separator: "; ")). Review the values marked DECIDE.", "version: 1",
        ]
        var taken = Set<String>()
        for (index, entry) in chosen.enumerated() {
            let several = chosen.count > 1
            let key = several ? Self.key(for: entry.definition, taken: taken) : "pipeline"
            taken.insert(key)
            let found = entry.kwargs.first { $0.key == "pipeline_name" }?.value.nonPlaceholder
            let pipelineName = several ? (found ?? "\(name ?? repositoryName)-\(key)") : (name ?? found ?? repositoryName)
            let indent = several ? "    " : "  "
            if several {
                if index == 0 { lines.append("pipelines:") }
                lines.append("  \(key):")
            } else {
                lines.append("pipeline:")
            }
            let context = several ? "pipelines.\(key)" : "pipeline"
            lines += ["\(indent)name: \(quoted(pipelineName))", "\(indent)definition: \(quoted(entry.definition))"]
            if PythonDefinition.isPython(entry.definition) {
                lines.append("\(indent)kwargs:")
                let kwargs = entry.kwargs.isEmpty ? [("region", "us-east-1")] : entry.kwargs
                for (key, value) in kwargs {
                    if let concrete = value.nonPlaceholder {
                        lines.append("\(indent)  \(key): \(quoted(concrete))")
                    } else if key == "region" {
                        lines.append("\(indent)  region: \"us-east-1\"  # DECIDE: the buildspec passes \(value)")
                        decide.append("\(context).kwargs.region: the buildspec passes \(value); us-east-1 until you set it")
                    } else {
                        // Left to the builder's default until someone decides.
                        lines.append("\(indent)  # \(key): DECIDE  (the buildspec passes \(value))")
                        decide.append(
                            "\(context).kwargs.\(key): the buildspec passes \(value); the builder's default applies until you set it (per environment: kwargs: in its environment file)"
                        )
                    }
                }
            }
            if PythonDefinition.isPython(entry.definition), let requirements = compileRequirements(root) {
                lines.append("\(indent)requirements: [\(requirements.map(quoted).joined(separator: ", "))]")
            }
            // A placeholder in init's placeholder account, so render works before anyone decides.
            lines.append("\(indent)roleArn: \"arn:aws:iam::111111111111:role/pipeops-adopt-DECIDE\"  # DECIDE")
        }
        if chosen.contains(where: { PythonDefinition.isPython($0.definition) }) {
            if let requirements = compileRequirements(root) {
                decide.append(
                    "the compile venv: pipeops makes it from \(requirements.joined(separator: " and ")) on the first compile (once, cached); set pipeline.python to use a venv of your own"
                )
            } else {
                decide.append(
                    "pipeline.python: a venv with the SageMaker SDK and what the builder imports (default: $PIPEOPS_PYTHON, else python3), or pipeline.requirements for pipeops to make one"
                )
            }
        }
        lines.append("environments:")
        decide.append("pipeline.roleArn and each environment's roleArn, region and bucket values (accounts per environment)")
        for environment in environments {
            lines.append(
                "  \(environment): { parameters: environments/\(environment).yaml\(environment == "prod" ? ", execute: false" : "") }")
        }
        var written: [String] = []
        for entry in chosen {
            guard let body = entry.extracted else { continue }
            let path = root + "/" + entry.definition
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            } catch { throw .writeFailed(path, reason: AtomicFile.reason(error)) }
            try AtomicFile.write(Data(body.utf8), to: path)
            written.append(entry.definition)
        }
        let manifest = lines.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(manifest.utf8), to: root + "/" + Manifest.fileName)
        written.append(Manifest.fileName)
        // What the buildspec passes from CI, per account: each environment's kwargs to decide.
        var placeholders: [(key: String, value: String)] = []
        for entry in chosen where PythonDefinition.isPython(entry.definition) {
            for kwarg in entry.kwargs where kwarg.value.nonPlaceholder == nil && kwarg.key != "region" {
                if !placeholders.contains(where: { $0.key == kwarg.key }) { placeholders.append(kwarg) }
            }
        }
        let kwargsBlock =
            placeholders.isEmpty
            ? ""
            : "# kwargs: this environment's builder arguments over pipeline.kwargs (DECIDE; the buildspec passes them from CI):\n"
                + "# kwargs:\n" + placeholders.map { "#   \($0.key): \"\"  # \($0.value)\n" }.joined()
        for environment in environments {
            let text = """
                # \(environment): values for the definition's parameters (DECIDE), its tags, role and region.
                parameters: {}
                tags:
                  environment: \(environment)

                """ + kwargsBlock
            let path = root + "/environments/\(environment).yaml"
            do { try FileManager.default.createDirectory(atPath: root + "/environments", withIntermediateDirectories: true) } catch {
                throw .writeFailed(root + "/environments", reason: AtomicFile.reason(error))
            }
            try AtomicFile.write(Data(text.utf8), to: path)
            written.append("environments/\(environment).yaml")
        }
        if let ci {
            let region = chosen.lazy.compactMap { $0.kwargs.first { $0.key == "region" }?.value.nonPlaceholder }.first ?? "us-east-1"
            let ciName =
                chosen.count == 1
                ? (name ?? chosen[0].kwargs.first { $0.key == "pipeline_name" }?.value.nonPlaceholder ?? repositoryName)
                : (name ?? repositoryName)
            let values = [
                "name": ciName, "account": "111111111111", "region": region, "bucket": String((ciName + "-artifacts").prefix(63)),
                "pipeopsVersion": PipeOpsVersion.current, "pythonRequirements": "",
            ]
            for file in ci.files {
                let path = root + "/" + file.path
                do {
                    try FileManager.default.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                } catch { throw .writeFailed(path, reason: AtomicFile.reason(error)) }
                try AtomicFile.write(Scaffolder.render(file.contents, values), to: path)
                written.append(file.path)
            }
            decide.append(
                "CI (\(ci.rawValue)): the account 111111111111 and the deploy role \(ciName)-\(ci == .codebuild ? "pipeline" : ci.rawValue + "-deploy") in \(ci.files.map(\.path).joined(separator: ", ")) are placeholders; the repository's own CI is unchanged"
            )
        }
        if chosen.count > 1 {
            decide.append(
                "\(chosen.count) pipelines share the environment files: commands that work on one take --pipeline (\(taken.sorted().joined(separator: ", ")))"
            )
        }
        let left = found.filter { entry in !chosen.contains { $0.definition == entry.definition } }
        if !left.isEmpty {
            decide.append(
                "also found \(left.map(\.definition).joined(separator: ", ")) (committed output of a builder, presumably): not adopted; add it under pipelines: if it is a pipeline of its own"
            )
        }
        decide += Infrastructure.unreadable(files: files(below: root), text: { text(root, $0) })
        let ignored = text(root, ".gitignore").split(separator: "\n").contains {
            ["/.pipeops/", ".pipeops/", ".pipeops", "/.pipeops"].contains($0.trimmingCharacters(in: .whitespaces))
        }
        if !ignored { decide.append(".pipeops/ holds pipeops's state: add it to .gitignore (adopt changes no existing file)") }
        var result = Result(found: found, written: written, decide: decide)
        result.pipelines = chosen.count
        result.python = chosen.contains { PythonDefinition.isPython($0.definition) }
        return result
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    /// The value, unless it is a CI placeholder such as `${AWS_REGION}` or `$ROLE`.
    var nonPlaceholder: String? { contains("$") ? nil : self }
}
