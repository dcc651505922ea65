import Foundation

/// Writes files so that a reader never sees half of one: write a temporary file beside the
/// target, then rename it over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(PipeOpsError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).pipeops-\(UUID().uuidString.prefix(8)).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw PipeOpsError.writeFailed(path, reason: reason)
            }
        } catch let error as PipeOpsError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path, reason: error.localizedDescription)
        }
    }
}

/// Creates or truncates a file in place, optionally with contents. For files nothing else reads
/// while they are written (a step's logs and input). Foundation's `FileManager.createFile` writes
/// through a `TemporaryDirectory.*` folder in /tmp that it never removes on Linux: one per call.
public enum PlainFile {
    @discardableResult
    public static func create(_ path: String, contents: Data = Data()) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var written = 0
        let ok = contents.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
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
