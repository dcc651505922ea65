import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// `pipeops diff REV_A REV_B`: what changed in the product between two revisions (tags,
/// branches, commits), read from git's object database through libgit2 — no checkout.
public struct RevisionDiff: Sendable {
    public struct Side: Sendable {
        public var revision: String
        public var commit: String
        public var definitionPath: String
        public var hashes: DefinitionHashes
    }

    public struct StepChange: Sendable {
        public var step: String
        public var kind: String // added, removed, changed
        public var changes: [NodeDiff.Change]
        /// Whether a change touches the step's cache key attributes (its cached results no longer apply).
        public var invalidatesCache: Bool
    }

    public var left: Side
    public var right: Side
    public var steps: [StepChange] = []
    public var parameters: [NodeDiff.Change] = []
    /// Files of the `code:` folders (product path → old and new sha256).
    public var code: [NodeDiff.Change] = []
    /// Environment files (by environment name) and pipeops.yaml.
    public var files: [(name: String, changes: [NodeDiff.Change])] = []

    public var structureChanged: Bool { left.hashes.structure != right.hashes.structure }
    public var identical: Bool {
        steps.isEmpty && parameters.isEmpty && code.isEmpty && files.allSatisfy(\.changes.isEmpty) && !structureChanged
    }

    /// Every file of the code folders at `commit`, by product path.
    static func codeFiles(at commit: String, manifest: Manifest) throws(PipeOpsError) -> [String: String] {
        let directory = try ProductContext.productDirectory(at: commit, manifest: manifest)
        let released: Manifest
        do { released = try Manifest.load(path: directory + "/" + Manifest.fileName) } catch { throw error.toolError() }
        try released.requireContained()
        var files: [String: String] = [:]
        for folder in try released.codeFolders() {
            guard FileManager.default.fileExists(atPath: folder.directory) else { continue }
            for file in try CodeTree.read(folder.directory, display: folder.display).files {
                files[folder.display + "/" + file.path] = file.sha256
            }
        }
        return files
    }

    /// Compares the product whose pipeops.yaml is `manifest` at two revisions.
    public static func compare(_ a: String, _ b: String, manifest: Manifest) throws(PipeOpsError) -> RevisionDiff {
        let repository = try GitRepository.discover(from: manifest.directory)
        guard let root = repository.workingDirectory else { throw .git("a bare repository has no product to compare") }
        let productRoot = URL(fileURLWithPath: manifest.directory).resolvingSymlinksInPath().path
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let prefix = productRoot == realRoot ? "" : String(productRoot.dropFirst(realRoot.count + 1)) + "/"
        func side(_ revision: String) throws(PipeOpsError) -> (Side, Manifest, Document) {
            guard let commit = try repository.commit(of: revision) else {
                throw .invalidArgument("'\(revision)' is neither an environment nor a revision (tag, branch or commit) of this repository")
            }
            guard let manifestData = try repository.file(prefix + Manifest.fileName, in: commit) else {
                throw .message("\(revision) (\(commit.prefix(7))) has no \(prefix)\(Manifest.fileName)")
            }
            let manifestDocument: Document
            do { manifestDocument = try DocumentLoader.parse(data: manifestData, path: "\(revision):\(Manifest.fileName)") } catch {
                throw error.toolError(display: "\(revision):\(Manifest.fileName)")
            }
            // The same pipeline at that revision, when the product lists several.
            let old = try Manifest(document: manifestDocument, directory: manifest.directory).selecting(manifest.selectedPipeline)
            guard let definition = old.definition else { throw .message("\(revision): pipeline.definition is not set") }
            if PythonDefinition.isPython(definition) {
                throw .message(
                    "\(revision) defines the pipeline in \(definition); comparing Python definitions across revisions needs each compiled, which diff does not do without a checkout"
                )
            }
            guard let data = try repository.file(prefix + definition, in: commit) else {
                throw .message("\(revision) (\(commit.prefix(7))) has no \(prefix)\(definition)")
            }
            let document: Document
            do { document = try DocumentLoader.parse(data: data, path: "\(revision):\(definition)") } catch {
                throw error.toolError(display: "\(revision):\(definition)")
            }
            return (
                Side(revision: revision, commit: commit, definitionPath: definition, hashes: DefinitionHashes(root: document.root)), old,
                document
            )
        }
        let (left, leftManifest, leftDocument) = try side(a)
        let (right, rightManifest, rightDocument) = try side(b)
        var diff = RevisionDiff(left: left, right: right)

        // Steps by name, nested branches included.
        let leftSteps = Pipeline(document: leftDocument).steps
        let rightSteps = Pipeline(document: rightDocument).steps
        for step in leftSteps where !rightSteps.contains(where: { $0.name == step.name }) {
            diff.steps.append(StepChange(step: step.name, kind: "removed", changes: [], invalidatesCache: false))
        }
        for step in rightSteps {
            guard let before = leftSteps.first(where: { $0.name == step.name }) else {
                diff.steps.append(StepChange(step: step.name, kind: "added", changes: [], invalidatesCache: false))
                continue
            }
            // A Condition's nested steps are compared on their own.
            let strip = { (node: Node) -> Node in
                guard step.type == .condition, case .object(let members) = node.value else { return node }
                return Node(
                    .object(
                        members.map { member in
                            guard member.key == "Arguments", case .object(let arguments) = member.value.value else { return member }
                            var copy = member
                            copy.value = Node(.object(arguments.filter { $0.key != "IfSteps" && $0.key != "ElseSteps" }))
                            return copy
                        }))
            }
            let changes = NodeDiff.changes(strip(before.node), strip(step.node))
            guard !changes.isEmpty else { continue }
            let keys = step.type?.kind?.cacheKeyAttributes ?? []
            let invalidates =
                step.type?.supportsCaching == true
                && changes.contains { change in
                    keys.contains { change.path.hasPrefix("Arguments.\($0)") } || change.path.hasPrefix("Type")
                }
            diff.steps.append(StepChange(step: step.name, kind: "changed", changes: changes, invalidatesCache: invalidates))
        }
        if !leftManifest.code.isEmpty || !rightManifest.code.isEmpty {
            let old = try codeFiles(at: left.commit, manifest: manifest)
            let new = try codeFiles(at: right.commit, manifest: manifest)
            for path in Set(old.keys).union(new.keys).sorted() where old[path] != new[path] {
                diff.code.append(
                    NodeDiff.Change(
                        path: path, old: old[path].map { "sha256:" + $0.prefix(12) }, new: new[path].map { "sha256:" + $0.prefix(12) }))
            }
        }
        diff.parameters = NodeDiff.changes(
            Node(object: Pipeline(document: leftDocument).parameters.map { ($0.name, $0.node) }),
            Node(object: Pipeline(document: rightDocument).parameters.map { ($0.name, $0.node) }))

        // Environment files, by environment name, and the manifest itself.
        diff.files.append(("pipeops.yaml", NodeDiff.changes(leftManifest.document.root, rightManifest.document.root)))
        let names = (leftManifest.environments.map(\.name) + rightManifest.environments.map(\.name)).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        for name in names {
            func file(_ manifest: Manifest, _ side: Side) throws(PipeOpsError) -> Node {
                guard let path = manifest.environment(named: name)?.parameters,
                    let data = try repository.file(prefix + path, in: side.commit)
                else { return Node(.null) }
                return (try? DocumentLoader.parse(data: data, path: path).root) ?? Node(.string("<unreadable>"))
            }
            diff.files.append(("environment \(name)", NodeDiff.changes(try file(leftManifest, left), try file(rightManifest, right))))
        }
        return diff
    }

    public var text: String {
        var lines = ["\(left.revision) (\(left.commit.prefix(7))) → \(right.revision) (\(right.commit.prefix(7)))"]
        for change in steps {
            switch change.kind {
            case "added": lines.append("+ step \(change.step)")
            case "removed": lines.append("- step \(change.step)")
            default:
                lines.append("~ step \(change.step)\(change.invalidatesCache ? " (its cached results no longer apply)" : "")")
                for item in change.changes.prefix(20) {
                    lines.append("    \(item.path): \(item.old ?? "(absent)") → \(item.new ?? "(absent)")")
                }
                if change.changes.count > 20 { lines.append("    … and \(change.changes.count - 20) more") }
            }
        }
        for item in parameters { lines.append("~ parameter \(item.path): \(item.old ?? "(absent)") → \(item.new ?? "(absent)")") }
        for item in code { lines.append("~ code \(item.path): \(item.old ?? "(absent)") → \(item.new ?? "(absent)")") }
        for (name, changes) in files where !changes.isEmpty {
            lines.append("~ \(name)")
            for item in changes.prefix(20) { lines.append("    \(item.path): \(item.old ?? "(absent)") → \(item.new ?? "(absent)")") }
        }
        lines.append("structure sha256  \(left.revision): \(left.hashes.structure)")
        lines.append("                  \(right.revision): \(right.hashes.structure)")
        lines.append(
            identical
                ? "Identical: \(right.revision) is \(left.revision) for every environment."
                : structureChanged
                    ? "The structure changed: \(right.revision) needs a new run in every environment before it is promoted."
                    : code.isEmpty
                        ? "The structure is the same; only values differ (parameters, environment files)."
                        : "The structure is the same; the code differs: \(right.revision) needs a new run before it is promoted.")
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: Node {
        func changesNode(_ changes: [NodeDiff.Change]) -> Node {
            Node(
                .array(
                    changes.map {
                        Node(object: [
                            ("path", Node(.string($0.path))), ("old", $0.old.map { Node(.string($0)) } ?? Node(.null)),
                            ("new", $0.new.map { Node(.string($0)) } ?? Node(.null)),
                        ])
                    }))
        }
        func sideNode(_ side: Side) -> Node {
            Node(object: [
                ("revision", Node(.string(side.revision))), ("commit", Node(.string(side.commit))),
                ("definition", Node(.string(side.definitionPath))), ("structureSha256", Node(.string(side.hashes.structure))),
                ("sha256", Node(.string(side.hashes.content))),
            ])
        }
        return Node(object: [
            ("left", sideNode(left)), ("right", sideNode(right)), ("identical", Node(.bool(identical))),
            ("structureChanged", Node(.bool(structureChanged))),
            (
                "steps",
                Node(
                    .array(
                        steps.map {
                            Node(object: [
                                ("name", Node(.string($0.step))), ("change", Node(.string($0.kind))),
                                ("invalidatesCache", Node(.bool($0.invalidatesCache))), ("fields", changesNode($0.changes)),
                            ])
                        }))
            ),
            ("parameters", changesNode(parameters)),
            ("code", changesNode(code)),
            ("files", Node(object: files.map { ($0.name, changesNode($0.changes)) })),
        ])
    }
}
