import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// S3 on the local disk: `s3://bucket/key` lives under `<root>/<bucket>/<key>`, and the
/// manifest's `local.s3` prefixes are served read-only from repository folders. `file://`
/// URIs name local paths directly. Keys that would escape their root are refused.
public struct LocalS3: Sendable {
    public struct Mount: Sendable {
        public var prefix: String
        public var directory: String

        public init(prefix: String, directory: String) {
            self.prefix = prefix
            self.directory = directory
        }
    }

    public let root: String
    public let mounts: [Mount]

    public init(root: String, mounts: [Mount] = []) {
        self.root = root
        // Longest prefix first, so the most specific mount wins.
        self.mounts = mounts.sorted { $0.prefix.count > $1.prefix.count }
    }

    public enum Location: Equatable, Sendable {
        case store(String)
        /// A path under a `local.s3` folder, and that folder: nothing outside it is served, not
        /// even through a symbolic link inside it.
        case mount(String, folder: String)
        case file(String)

        public var path: String {
            switch self {
            case .store(let path), .mount(let path, _), .file(let path): return path
            }
        }
    }

    /// Where `uri` lives on disk. Throws for anything that is not s3:// or file://, and for keys with `..`.
    public func locate(_ uri: String) throws(PipeOpsError) -> Location {
        if uri.hasPrefix("file://") {
            let path = String(uri.dropFirst("file://".count))
            guard path.hasPrefix("/") else { throw .message("'\(uri)' must be an absolute file:// URI") }
            return .file(URL(fileURLWithPath: path).standardizedFileURL.path)
        }
        guard uri.hasPrefix("s3://") else {
            throw .message("'\(uri)' is not an S3 URI (s3://bucket/key) or a file:// URI")
        }
        let rest = uri.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty, bucket != "..", bucket != "." else { throw .message("'\(uri)' has no bucket") }
        let key = parts.count > 1 ? String(parts[1]) : ""
        try Self.checkKey(key, uri: uri)
        // A mount covers whole path segments: "s3://b/code" serves "s3://b/code/x", never
        // "s3://b/codex" or "s3://b/code../x" (whose rest would climb out of its folder).
        for mount in mounts {
            let folder = mount.prefix.hasSuffix("/") ? mount.prefix : mount.prefix + "/"
            guard uri.hasPrefix(folder) || uri + "/" == folder else { continue }
            let relative = uri.count > folder.count ? String(uri.dropFirst(folder.count)) : ""
            try Self.checkKey(relative, uri: uri)
            return .mount(Self.join(mount.directory, relative), folder: mount.directory)
        }
        return .store(Self.join(Self.join(root, String(bucket)), key))
    }

    static func checkKey(_ key: String, uri: String) throws(PipeOpsError) {
        if key.hasPrefix("/") { throw .message("'\(uri)': an absolute key escapes the bucket") }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) where segment == ".." {
            throw .message("'\(uri)': '..' in an S3 key would escape its root; refused")
        }
    }

    static func join(_ base: String, _ relative: String) -> String {
        if relative.isEmpty { return base }
        return (base.hasSuffix("/") ? base : base + "/") + relative
    }

    /// Reads one object.
    public func read(_ uri: String) throws(PipeOpsError) -> Data {
        let location = try locate(uri)
        try Self.confine(location, uri: uri)
        let path = location.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .message("no object at \(uri)")
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .message("cannot read \(uri): \(error.localizedDescription)")
        }
    }

    /// Copies `uri` (one object, or every object under a prefix) into `directory`. An object lands
    /// in `directory` under its file name; a prefix keeps the relative paths below it.
    @discardableResult
    public func download(_ uri: String, to directory: String) throws(PipeOpsError) -> Int {
        let location = try locate(uri)
        try Self.confine(location, uri: uri)
        let source = location.path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw .message("no object or prefix at \(uri)")
        }
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if !isDirectory.boolValue {
                try Self.copyFile(source, to: Self.join(directory, (source as NSString).lastPathComponent))
                return 1
            }
            if case .mount(_, let folder) = location { try Self.confineTree(source, to: folder, uri: uri) }
            return try Self.copyFiles(from: source, to: directory)
        } catch let error as PipeOpsError {
            throw error
        } catch {
            throw .message("cannot stage \(uri): \(error.localizedDescription)")
        }
    }

    /// A mounted path must resolve (symbolic links followed) inside its folder.
    static func confine(_ location: Location, uri: String) throws(PipeOpsError) {
        guard case .mount(let path, let folder) = location else { return }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        guard real == root || real.hasPrefix(root + "/") else {
            throw .message(
                "\(uri) resolves to \(real), outside its local.s3 folder \(folder) (a symbolic link leaves the product); refused")
        }
    }

    /// Every file below a mounted prefix, symbolic links followed, stays inside the folder.
    static func confineTree(_ source: String, to folder: String, uri: String) throws(PipeOpsError) {
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: source)) ?? []
        for relative in files {
            let real = URL(fileURLWithPath: join(source, relative)).resolvingSymlinksInPath().path
            guard real == root || real.hasPrefix(root + "/") else {
                throw .message(
                    "\(uri): \(relative) is a symbolic link to \(real), outside the local.s3 folder \(folder); refused (nothing outside the product is staged)"
                )
            }
        }
    }

    /// Copies every file under `directory` to the prefix `uri`.
    @discardableResult
    public func upload(_ directory: String, to uri: String) throws(PipeOpsError) -> Int {
        let location = try locate(uri)
        if case .mount = location { throw .message("\(uri) is served read-only from the repository (local.s3); write outputs elsewhere") }
        let target = location.path
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            guard fm.fileExists(atPath: directory) else { return 0 }
            return try Self.copyFiles(from: directory, to: target)
        } catch {
            throw .message("cannot upload to \(uri): \(error.localizedDescription)")
        }
    }

    /// Copies every file below `source` to the same relative path below `target`, replacing
    /// files. Each file is copied beside its target and renamed over it, so a kill mid-copy
    /// leaves the old object or the new one, never half of one.
    static func copyFiles(from source: String, to target: String) throws -> Int {
        let fm = FileManager.default
        var count = 0
        for relative in try fm.subpathsOfDirectory(atPath: source) {
            var isDirectory: ObjCBool = false
            let from = join(source, relative)
            guard fm.fileExists(atPath: from, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            // A copy a kill interrupted is no object.
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") && name.contains(".pipeops-") && name.hasSuffix(".tmp") { continue }
            try copyFile(from, to: join(target, relative))
            count += 1
        }
        return count
    }

    static func copyFile(_ from: String, to: String) throws {
        let fm = FileManager.default
        let folder = (to as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.\((to as NSString).lastPathComponent).pipeops-\(UUID().uuidString.prefix(8)).tmp"
        do {
            // The file's contents, never a link: a step gets a copy, not a way back into the host.
            let real = URL(fileURLWithPath: from).resolvingSymlinksInPath().path
            try fm.copyItem(atPath: real, toPath: temporary)
            guard rename(temporary, to) == 0 else { throw PipeOpsError.writeFailed(to, reason: String(cString: strerror(errno))) }
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Writes one object.
    public func put(_ data: Data, at uri: String) throws(PipeOpsError) {
        let location = try locate(uri)
        if case .mount = location { throw .message("\(uri) is served read-only from the repository (local.s3)") }
        try AtomicFile.write(data, to: location.path)
    }
}
