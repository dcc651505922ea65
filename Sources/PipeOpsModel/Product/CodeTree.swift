import Crypto
import Foundation

/// One file of a code folder, as it is content-addressed: its path below the folder, whether it
/// is executable and the sha256 of its bytes. Nothing else (no times, owners or other mode bits)
/// takes part, so two clones of one commit hash alike.
public struct CodeFile: Codable, Sendable, Equatable, Hashable {
    /// Path below the code folder, `/`-separated.
    public var path: String
    public var sha256: String
    public var executable: Bool

    public init(path: String, sha256: String, executable: Bool) {
        self.path = path
        self.sha256 = sha256
        self.executable = executable
    }
}

/// A code folder read once: every file below it, sorted by path (byte order).
///
/// Skipped, as build litter that is never part of the product: names starting with `.`,
/// `__pycache__` folders and `*.pyc` files. Symbolic links are followed only when they stay
/// inside the folder; one that leaves it is refused (a link must not smuggle in `/etc/passwd`).
public struct CodeTree: Sendable {
    public static let maximumFiles = 20_000
    public static let maximumBytes = 2 << 30

    public let directory: String
    public let files: [CodeFile]

    public init(directory: String, files: [CodeFile]) {
        self.directory = directory
        self.files = files
    }

    public static func read(_ directory: String, display: String) throws(PipeOpsError) -> CodeTree {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .message("code folder \(display) does not exist; create it or fix 'code' in pipeops.yaml")
        }
        var files: [CodeFile] = []
        var bytes = 0
        try walk(root, relative: "", root: root, display: display, into: &files, bytes: &bytes)
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return CodeTree(directory: root, files: files)
    }

    static func skipped(_ name: String) -> Bool {
        name.hasPrefix(".") || name == "__pycache__" || name.hasSuffix(".pyc")
    }

    private static func walk(
        _ path: String, relative: String, root: String, display: String, into files: inout [CodeFile], bytes: inout Int
    ) throws(PipeOpsError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .message("cannot read code folder \(display)/\(relative): \(error.localizedDescription)")
        }
        for name in names.sorted() where !skipped(name) {
            let full = path + "/" + name
            let shown = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            var target = full
            if info.st_mode & S_IFMT == S_IFLNK {
                let resolved = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
                guard resolved == root || resolved.hasPrefix(root + "/") else {
                    throw .message("\(display)/\(shown) is a symbolic link out of the code folder (to \(resolved)); refused")
                }
                guard stat(resolved, &info) == 0 else {
                    throw .message("\(display)/\(shown) is a broken symbolic link; remove it or fix its target")
                }
                target = resolved
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if target != full { continue } // a link to a folder inside: its files are hashed where they live
                try walk(full, relative: shown, root: root, display: display, into: &files, bytes: &bytes)
            case S_IFREG:
                guard files.count < maximumFiles else {
                    throw .message("code folder \(display) holds more than \(maximumFiles) files; narrow 'code' in pipeops.yaml")
                }
                bytes += Int(info.st_size)
                guard bytes <= maximumBytes else {
                    throw .message(
                        "code folder \(display) holds more than \(ByteCount.format(maximumBytes)); narrow 'code' in pipeops.yaml")
                }
                files.append(
                    CodeFile(path: shown, sha256: try digest(target, shown: "\(display)/\(shown)"), executable: info.st_mode & 0o111 != 0))
            default:
                continue // sockets, fifos and devices are not code
            }
        }
    }

    package static func digest(_ path: String, shown: String) throws(PipeOpsError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .message("cannot read \(shown)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw .message("cannot read \(shown): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().hex
    }

    /// The files an S3 prefix below the folder names (S3 semantics: `train` names `train.py`
    /// and `train/x.py`; the empty prefix names every file).
    public func files(matching prefix: String) -> [CodeFile] {
        prefix.isEmpty ? files : files.filter { $0.path.hasPrefix(prefix) }
    }

    /// The content address of `files`: sha256 over one `<mode> <sha256> <path>` line per file.
    public static func address(of files: [CodeFile]) -> String {
        let text = files.map { "\($0.executable ? "755" : "644") \($0.sha256) \($0.path)\n" }.joined()
        return SHA256.hash(data: Data(text.utf8)).hex
    }
}
