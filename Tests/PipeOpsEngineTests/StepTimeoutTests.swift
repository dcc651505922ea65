import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsEngine

/// A child past its time limit is stopped even when it ignores SIGTERM and runs without
/// `pipeops-sandbox` (which stops its group itself): SIGKILL follows after the grace.
@Suite(.timeLimit(.minutes(1))) struct StepTimeoutTests {
    @Test func aChildThatIgnoresSIGTERMIsKilledAfterTheGrace() throws {
        let directory = TemporaryDirectory()
        let marker = directory.url.appendingPathComponent("started").path
        // The shell ignores TERM (and so does each sleep it starts); it says it started, then waits.
        let script = "trap '' TERM; : > '\(marker)'; while :; do sleep 0.05; done"
        let outcome = try ProcessRunner.shared.run(
            ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"], directory: directory.path,
            stdoutPath: directory.url.appendingPathComponent("out").path, stderrPath: directory.url.appendingPathComponent("err").path,
            timeout: 0.5, grace: 0.5)
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(outcome.timedOut)
        #expect(outcome.signalled)
        #expect(outcome.exitCode == SIGKILL)
    }

    @Test func aChildThatHeedsSIGTERMIsNotKilled() throws {
        let directory = TemporaryDirectory()
        let outcome = try ProcessRunner.shared.run(
            ["/bin/sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.05; done"], environment: ["PATH": "/usr/bin:/bin"],
            directory: directory.path, stdoutPath: directory.url.appendingPathComponent("out").path,
            stderrPath: directory.url.appendingPathComponent("err").path, timeout: 0.5, grace: 30)
        #expect(outcome.timedOut)
        #expect(!outcome.signalled)
        #expect(outcome.exitCode == 7)
    }
}
