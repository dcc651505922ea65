import Foundation

/// Documents a one-shot command has loaded, kept until the process exits instead of freed node
/// by node when the command is done with them (the same choice as clang's `-disable-free`):
/// tearing down the tree of a 10,000-step definition is over a million releases, spent just
/// before the operating system reclaims the whole heap anyway.
///
/// Off unless the executable turns it on; a long-running process (the language server) never
/// does, and its documents are freed as usual.
public enum ExitRetention {
    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var enabled = false
        var kept: [Node] = []
        var objects: [AnyObject] = []
    }

    private static let store = Store()

    /// Keeps every document loaded from now on until the process exits.
    public static func enable() {
        store.lock.withLock { store.enabled = true }
    }

    /// Keeps `root` alive until exit when retention is on; otherwise does nothing.
    static func keep(_ root: Node) {
        store.lock.withLock {
            if store.enabled { store.kept.append(root) }
        }
    }

    /// The same for what was built from a document (a lint's context: its pipeline, caches and
    /// references; ~10 ms of releases for 10,000 steps).
    package static func keep(_ object: AnyObject) {
        store.lock.withLock {
            if store.enabled { store.objects.append(object) }
        }
    }
}
