import Crypto
import Foundation
import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// One reference to step code in a definition, made content-addressed.
public struct CodeReference: Sendable {
    /// The URI as written (`s3://bucket/code/train.py`).
    public var original: String
    /// The URI sent (`s3://bucket/code/<address>/train.py`).
    public var uri: String
    public var folder: CodeFolder
    /// sha256 over the files the reference names (see `CodeTree.address`).
    public var address: String
    public var files: [CodeFile]
    public var location: SourceLocation
}

/// An image field's value after the environment's pins, and where the definition gives it.
public struct ImageUse: Sendable {
    public var reference: String
    public var location: SourceLocation
    /// The parameter the field takes its value from, if any.
    public var parameter: String?
    /// The environment pinned it (by its images: map or --image).
    public var pinnedHere: Bool
}

/// What a rendering ships besides its structure: code files and images, with one hash over both.
public struct ArtifactSet: Sendable {
    public var code: [CodeReference] = []
    public var images: [ImageUse] = []

    /// Every code file the rendering names, by product path (`pipeline/steps/train.py`), once.
    public var files: [String: CodeFile] {
        var all: [String: CodeFile] = [:]
        for reference in code {
            for file in reference.files { all[reference.folder.display + "/" + file.path] = file }
        }
        return all
    }

    /// Image references, sorted, once each.
    public var imageReferences: [String] { Array(Set(images.map(\.reference))).sorted() }

    /// sha256 over `code <mode> <sha256> <product path>` and `image <reference>` lines, sorted:
    /// equal exactly when the same code bytes and the same image references ship.
    public var sha256: String { Self.hash(files: files.mapValues { ($0.sha256, $0.executable) }, images: imageReferences) }

    public static func hash(files: [String: (sha256: String, executable: Bool)], images: [String]) -> String {
        var lines = files.map { "code \($0.value.executable ? "755" : "644") \($0.value.sha256) \($0.key)\n" }
        lines += images.map { "image \($0)\n" }
        lines.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return SHA256.hash(data: Data(lines.joined().utf8)).hex
    }

    /// The objects that must exist in S3, once each, sorted by URI.
    public var uploads: [CodeUpload] {
        var seen: Set<String> = []
        var result: [CodeUpload] = []
        for reference in code {
            guard let (bucket, key) = S3URI.split(reference.folder.prefix) else { continue }
            for file in reference.files {
                let upload = CodeUpload(
                    bucket: bucket, key: key + reference.address + "/" + file.path, path: reference.folder.directory + "/" + file.path,
                    sha256: file.sha256)
                if seen.insert(upload.uri).inserted { result.append(upload) }
            }
        }
        return result.sorted { $0.uri < $1.uri }
    }

    /// Local-engine mounts: each content address served from its folder in the working tree.
    public var mounts: [LocalS3.Mount] {
        var seen: Set<String> = []
        return code.compactMap { reference in
            let prefix = reference.folder.prefix + reference.address + "/"
            return seen.insert(prefix).inserted ? LocalS3.Mount(prefix: prefix, directory: reference.folder.directory) : nil
        }
    }
}

/// Rewrites a definition into what ships: code URIs content-addressed, image pins applied.
public struct ArtifactRewriter {
    public var folders: [CodeFolder]
    /// Repository → `sha256:` digest.
    public var pins: [String: String]
    /// The definition's path as shown in errors.
    public var display: String

    public init(folders: [CodeFolder], pins: [String: String] = [:], display: String) {
        // Longest prefix first: the most specific folder wins.
        self.folders = folders.sorted { $0.prefix.count > $1.prefix.count }
        self.pins = pins
        self.display = display
    }

    private final class State {
        var trees: [String: CodeTree] = [:]
        var set = ArtifactSet()
        var pinnedParameters: Set<String> = []
    }

    public func apply(to root: Node) throws(PipeOpsError) -> (definition: Node, artifacts: ArtifactSet) {
        let imageParameters = ImageReference.parameters(in: root)
        let state = State()
        var rewritten = root
        if case .object(let members) = root.value {
            var out: [Node.Member] = []
            for var item in members {
                if item.key == "Parameters", case .array(let parameters) = item.value.value {
                    var updated: [Node] = []
                    for parameter in parameters {
                        updated.append(try self.parameter(parameter, state: state, imageParameters: imageParameters))
                    }
                    item.value = Node(.array(updated), at: item.value.location)
                } else {
                    item.value = try transform(item.value, state: state)
                }
                out.append(item)
            }
            rewritten = Node(.object(out), at: root.location)
        }
        let defaults = Dictionary(
            (rewritten["Parameters"]?.elements ?? []).compactMap { p in p["Name"]?.string.map { ($0, p["DefaultValue"]?.string) } },
            uniquingKeysWith: { first, _ in first })
        for index in state.set.images.indices {
            guard let name = state.set.images[index].parameter else { continue }
            state.set.images[index].reference = defaults[name].flatMap { $0 } ?? "<parameter \(name) without a default>"
            state.set.images[index].pinnedHere = state.pinnedParameters.contains(name)
        }
        return (rewritten, state.set)
    }

    /// A parameter declaration: an image parameter's default gets the pins; nothing else changes
    /// (a parameter's default naming code is rewritten like any other string).
    private func parameter(_ node: Node, state: State, imageParameters: Set<String>) throws(PipeOpsError) -> Node {
        guard case .object(let fields) = node.value, let name = node["Name"]?.string else { return try transform(node, state: state) }
        var out: [Node.Member] = []
        for var field in fields {
            if field.key == "DefaultValue", imageParameters.contains(name), case .string(let text) = field.value.value {
                let (reference, pinned) = pin(text)
                if pinned { state.pinnedParameters.insert(name) }
                field.value = Node(.string(reference), at: field.value.location)
            } else {
                field.value = try transform(field.value, state: state)
            }
            out.append(field)
        }
        return Node(.object(out), at: node.location)
    }

    private func transform(_ node: Node, state: State) throws(PipeOpsError) -> Node {
        switch node.value {
        case .string(let text):
            return Node(.string(try code(text, at: node.location, state: state)), at: node.location)
        case .array(let elements):
            var out: [Node] = []
            out.reserveCapacity(elements.count)
            for element in elements { out.append(try transform(element, state: state)) }
            return Node(.array(out), at: node.location)
        case .object(let members):
            var out: [Node.Member] = []
            out.reserveCapacity(members.count)
            for var item in members {
                if ImageReference.fieldNames.contains(item.key), case .string(let text) = item.value.value {
                    let (reference, pinned) = pin(text)
                    state.set.images.append(
                        ImageUse(reference: reference, location: item.value.location, parameter: nil, pinnedHere: pinned))
                    item.value = Node(.string(reference), at: item.value.location)
                } else {
                    if ImageReference.fieldNames.contains(item.key), let get = item.value["Get"]?.string, get.hasPrefix("Parameters.") {
                        state.set.images.append(
                            ImageUse(reference: "", location: item.value.location, parameter: String(get.dropFirst(11)), pinnedHere: false))
                    }
                    item.value = try transform(item.value, state: state)
                }
                out.append(item)
            }
            return Node(.object(out), at: node.location)
        default:
            return node
        }
    }

    /// The image reference with the environment's pin for its repository, and whether one applied.
    func pin(_ text: String) -> (String, Bool) {
        guard let reference = ImageReference(text), let digest = pins[reference.repository] else { return (text, false) }
        return (reference.pinned(to: digest).description, true)
    }

    /// A string naming code below a folder, content-addressed; any other string unchanged.
    private func code(_ text: String, at location: SourceLocation, state: State) throws(PipeOpsError) -> String {
        guard text.hasPrefix("s3://") else { return text }
        for folder in folders {
            let rest: Substring
            if text.hasPrefix(folder.prefix) {
                rest = text.dropFirst(folder.prefix.count)
            } else if text + "/" == folder.prefix {
                rest = ""
            } else {
                continue
            }
            // Already content-addressed (a rendering fed back in): leave it.
            if let first = rest.split(separator: "/", maxSplits: 1).first, first.count == 64, first.allSatisfy({ $0.isHexDigit }) {
                return text
            }
            let tree: CodeTree
            if let known = state.trees[folder.prefix] {
                tree = known
            } else {
                tree = try CodeTree.read(folder.directory, display: folder.display)
                state.trees[folder.prefix] = tree
            }
            let files = tree.files(matching: String(rest))
            guard !files.isEmpty else {
                let names = tree.files.map(\.path)
                let hint = Suggestion.didYouMean(String(rest), in: names)
                throw .message(
                    "\(display):\(location.line):\(location.column): error: '\(text)' names no file in the code folder \(folder.display)\(hint); code under \(folder.prefix) is published from \(folder.display) (code: in pipeops.yaml)"
                )
            }
            let address = CodeTree.address(of: files)
            let uri = folder.prefix + address + "/" + rest
            state.set.code.append(
                CodeReference(original: text, uri: uri, folder: folder, address: address, files: files, location: location))
            return uri
        }
        return text
    }
}
