import Foundation
import PipeOpsAnalysis
import PipeOpsModel

extension PythonDefinition {
    /// `pipeops compile --check-reproducible`: compiles a copy of the product at another path
    /// (with the same commit clock, a later wall clock) and reports every field of the definition
    /// that differs from this checkout's compile, at the step's line in definition.py. An empty
    /// result means two clones compile to the same bytes, so evidence recorded in CI matches a
    /// laptop's rendering.
    public static func checkReproducible(_ manifest: Manifest, display: DisplayPath) throws(PipeOpsError) -> [Finding] {
        guard let relative = manifest.definition, isPython(relative) else { return [] }
        let first = try compile(manifest)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pipeops-reproduce-\(UUID().uuidString.prefix(8))")
            .appendingPathComponent("elsewhere").path
        defer { try? FileManager.default.removeItem(atPath: (scratch as NSString).deletingLastPathComponent) }
        try copyProduct(from: manifest.directory, to: scratch)
        var copy: Manifest
        do { copy = try Manifest.load(path: scratch + "/" + Manifest.fileName) } catch { throw error.toolError() }
        copy.clockOverride = commitTime(manifest)
        let second = try compile(copy, force: true)
        guard let a = FileManager.default.contents(atPath: first.path), let b = FileManager.default.contents(atPath: second.path) else {
            throw .message("the two compiles left no definition to compare")
        }
        if a == b { return [] }
        let left: Document
        let right: Node
        do {
            left = try DocumentLoader.parse(data: a, path: display(first.path), syntax: .json)
            right = try DocumentLoader.parse(data: b, path: "copy", syntax: .json).root
        } catch { throw error.toolError() }
        let pipeline = Pipeline(document: left)
        var findings: [Finding] = []
        for change in NodeDiff.changes(left.root, right).prefix(50) {
            let step = Self.stepIndex(change.path).flatMap { $0 < pipeline.steps.count ? pipeline.steps[$0].name : nil }
            let node = Self.node(at: change.path, in: left.root) ?? left.root
            findings.append(
                Finding(
                    rule: "reproducible-compile", severity: .warning,
                    message:
                        "'\(change.path)' differs between two compiles of the same commit (\(change.old?.prefix(80) ?? "absent") → \(change.new?.prefix(80) ?? "absent")): a clock, a random id or the checkout's path reaches the definition, so a rendering on another clone gets another hash",
                    file: display(first.path), location: node.location, step: step))
        }
        let source = manifest.definitionSource ?? manifest.resolve(relative)
        return locate(findings, in: source, display: display(source))
    }

    /// The product's files, without pipeops's own state, git's, or virtual environments.
    static func copyProduct(from source: String, to target: String) throws(PipeOpsError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: source) where ![Layout.stateFolder, ".git", ".venv", "venv"].contains(name) {
                try fm.copyItem(atPath: source + "/" + name, toPath: target + "/" + name)
            }
        } catch {
            throw .writeFailed(target, reason: AtomicFile.reason(error))
        }
    }

    /// `Steps[3].Arguments…` → 3.
    static func stepIndex(_ path: String) -> Int? {
        guard path.hasPrefix("Steps["), let close = path.firstIndex(of: "]") else { return nil }
        return Int(path[path.index(path.startIndex, offsetBy: 6)..<close])
    }

    /// The node a `NodeDiff` path names (`a.b[2].c`), or nil.
    static func node(at path: String, in root: Node) -> Node? {
        var current: Node? = root
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            {
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { current = current?[String(name)] }
            for index in indices {
                guard let elements = current?.elements, index < elements.count else { return current }
                current = elements[index]
            }
        }
        return current
    }
}
