import Foundation
import PipeOpsModel
import PipeOpsWorkspace

/// The isolation probe's last answer and what it depended on, in one small file under the
/// pipeops cache. Whether `unshare` can make a mount namespace is a fact of the kernel, the
/// process's namespaces and its privileges, not of the product: the key holds the boot's id, the
/// user, the inodes of the mount and user namespaces, the effective capabilities, the seccomp and
/// no-new-privileges state, the kernel's user-namespace switches, the `unshare` binary and whether
/// /opt/ml exists. Any of them changed, the probe runs again and its answer replaces the file's.
struct IsolationProbe {
    let file: String

    /// `<pipeops cache>/isolation`.
    static var defaultFile: String { InterpreterAPIModel.cacheRoot + "/isolation" }

    /// The answer kept for `key`, if the file holds one for exactly that key.
    func recall(_ key: String) -> IsolationMode? {
        guard let text = Self.read(file) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0] == key else { return nil }
        return IsolationMode(rawValue: String(lines[1]))
    }

    /// Keeps `mode` as the answer for `key` (written whole or not at all; a failure to write
    /// only means the next run probes again).
    func remember(_ mode: IsolationMode, for key: String) {
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? AtomicFile.write(Data("\(key)\n\(mode.rawValue)\n".utf8), to: file)
    }

    /// This process's facts the probe's answer depends on, on one line; nil where they cannot
    /// be read (no /proc): then the probe runs every time.
    static func key(root: Bool, optML: Bool) -> String? {
        guard let boot = read("/proc/sys/kernel/random/boot_id"), let status = read("/proc/self/status"),
            let mountNamespace = inode("/proc/self/ns/mnt"), let userNamespace = inode("/proc/self/ns/user")
        else { return nil }
        var unshare = stat()
        guard stat("/usr/bin/unshare", &unshare) == 0 else { return nil }
        let privileges = status.split(separator: "\n").filter { line in
            ["CapEff:", "CapBnd:", "Seccomp:", "NoNewPrivs:"].contains { line.hasPrefix($0) }
        }
        .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: "=").replacingOccurrences(of: ":=", with: "=") }
        let switches = [
            "/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/user/max_user_namespaces",
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        ].map { read($0)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "-" }
        let fields =
            [
                "v1", "boot=" + boot.trimmingCharacters(in: .whitespacesAndNewlines), "uid=\(getuid())", "root=\(root)",
                "mnt=\(mountNamespace)", "user=\(userNamespace)",
            ] + privileges + [
                "userns=" + switches.joined(separator: ","),
                "unshare=\(unshare.st_ino):\(unshare.st_size):\(unshare.st_mtim.tv_sec).\(unshare.st_mtim.tv_nsec)", "optml=\(optML)",
            ]
        return fields.joined(separator: " ")
    }

    private static func inode(_ path: String) -> UInt? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt(info.st_ino) : nil
    }

    /// A small file's text (up to 64 KB), read to its end: the /proc files the key reads state a
    /// size of 0, so a read sized by `fstat` (`DocumentLoader.read`) would find them empty.
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
