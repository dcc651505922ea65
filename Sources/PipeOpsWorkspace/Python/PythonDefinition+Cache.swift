import Foundation
import PipeOpsAnalysis
import PipeOpsModel

/// The compile cache: a base key and every product file and folder the compile read.
extension PythonDefinition {
    /// The compile is current when its base key (interpreter, packages, kwargs, answers, clock,
    /// driver) is the same and every product file and folder it read is as it was.
    static func cached(base: String, manifest: Manifest, directory: String) -> Compiled? {
        guard let stored = FileManager.default.contents(atPath: directory + "/key"),
            let key = try? DocumentLoader.parse(data: stored, path: "key", syntax: .json).root, key["base"]?.string == base,
            FileManager.default.fileExists(atPath: directory + "/definition.json")
        else { return nil }
        for entry in key["files"]?.members ?? [] where entry.value.string != fileDigest(manifest.directory + "/" + entry.key) {
            return nil
        }
        for entry in key["folders"]?.members ?? [] where entry.value.string != folderDigest(manifest.directory + "/" + entry.key) {
            return nil
        }
        return read(info: directory + "/compile.json", output: directory + "/definition.json")
    }

    /// The stored key: the base, and the digest of every file and folder listing the compile read.
    static func readKey(base: String, info: Data, manifest: Manifest) -> Node {
        let root = try? DocumentLoader.parse(data: info, path: "compile.json", syntax: .json).root
        let files = (root?["reads"]?.elements ?? []).compactMap(\.string).map {
            member($0, .string(fileDigest(manifest.directory + "/" + $0)))
        }
        let folders = (root?["lists"]?.elements ?? []).compactMap(\.string).map {
            member($0, .string(folderDigest(manifest.directory + "/" + $0)))
        }
        return Node(object: [("base", Node(.string(base))), ("files", Node(.object(files))), ("folders", Node(.object(folders)))])
    }

    static func fileDigest(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "missing" }
        return DefinitionHashes.sha256(data)
    }

    static func folderDigest(_ path: String) -> String {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return "missing" }
        return DefinitionHashes.sha256(Data(names.sorted().joined(separator: "\n").utf8))
    }

    /// The HEAD commit's time: the clock a compile reads (0 outside a repository).
    static func commitTime(_ manifest: Manifest) -> Int64 {
        ((try? GitRepository.discover(from: manifest.directory)).flatMap { try? $0.head() })?.time ?? 0
    }
}
