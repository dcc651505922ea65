import Foundation

/// Writes files so that a reader never sees half of one, and a crash never leaves one: write
/// a temporary file beside the target, fsync it, rename it over the target, fsync the folder
/// (so the rename itself survives a power cut). On any failure the temporary file is removed
/// and the target is untouched.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(PipeOpsError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).pipeops-\(UUID().uuidString.prefix(8)).tmp").path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path, reason: reason(error))
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed(path, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                written += result
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .writeFailed(path, reason: failure)
        }
        if rename(temporary, path) != 0 {
            let failure = String(cString: strerror(errno))
            unlink(temporary)
            throw .writeFailed(path, reason: failure)
        }
        syncDirectory(directory.path)
    }

    /// fsync of a folder, so a rename or a new entry in it is durable. Best effort: some file
    /// systems refuse fsync on a folder, and the data itself is already safe.
    public static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    package static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}

/// Creates or truncates a file in place, optionally with contents. For files nothing else reads
/// while they are written (a step's logs and input). Foundation's `FileManager.createFile` writes
/// through a `TemporaryDirectory.*` folder in /tmp that it never removes on Linux: one per call.
public enum PlainFile {
    /// `create`, in a folder made if missing, failing with the reason: for files only a child
    /// process reads, right after they are written (a compile's inputs, a step's job config).
    public static func write(_ contents: Data, to path: String) throws(PipeOpsError) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard create(path, contents: contents) else { throw .writeFailed(path, reason: String(cString: strerror(errno))) }
    }

    @discardableResult
    public static func create(_ path: String, contents: Data = Data()) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var written = 0
        let ok = contents.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        return ok
    }
}
