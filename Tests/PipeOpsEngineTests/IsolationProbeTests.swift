import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsEngine

/// The isolation probe's answer is kept with what it depends on; it is read back only for
/// exactly that key.
@Suite struct IsolationProbeTests {
    @Test func theKeyIsThisProcesssAndChangesWithWhatTheAnswerDependsOn() throws {
        let key = try #require(IsolationProbe.key(root: true, optML: true), "/proc is readable on Linux")
        #expect(IsolationProbe.key(root: true, optML: true) == key, "the same process, the same key")
        #expect(IsolationProbe.key(root: true, optML: false) != key)
        #expect(IsolationProbe.key(root: false, optML: true) != key)
        #expect(!key.contains("\n"), "one line")
        let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        #expect(key.contains("boot=" + boot.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(key.contains("uid=\(getuid())") && key.contains("CapEff=") && key.contains("Seccomp="))
    }

    @Test func anAnswerIsReadBackForItsKeyOnly() throws {
        let directory = TemporaryDirectory()
        let probe = IsolationProbe(file: directory.path + "/cache/isolation")
        let key = try #require(IsolationProbe.key(root: false, optML: true))
        #expect(probe.recall(key) == nil, "nothing kept yet")
        probe.remember(.rewrite, for: key)
        #expect(probe.recall(key) == .rewrite)
        #expect(probe.recall(key + " optml=false") == nil && probe.recall("") == nil)
        probe.remember(.userNamespace, for: key)
        #expect(probe.recall(key) == .userNamespace, "a new answer replaces the old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/cache") == ["isolation"], "no temporary file left")
        for garbage in ["", key, key + "\nsomething-else\n", "\n\n"] {
            try Data(garbage.utf8).write(to: URL(fileURLWithPath: probe.file))
            #expect(probe.recall(key) == nil, "\(garbage.debugDescription) holds no answer")
        }
    }
}
