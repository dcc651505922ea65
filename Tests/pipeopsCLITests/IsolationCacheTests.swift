import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsEngine

/// `pipeops run` keeps the isolation probe's answer under the pipeops cache and reads it on the
/// next run with the same key, instead of spawning the probe again.
@Suite struct IsolationCacheTests {
    /// The mode a run's header names.
    func isolation(_ result: CLI.Result) -> String? {
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("execution ") }),
            let range = line.range(of: "· isolation ")
        else { return nil }
        return String(line[range.upperBound...])
    }

    @Test func aRunReadsTheAnswerKeptForItsKeyAndProbesForAnyOther() throws {
        let product = try SageMakerCommandTests.product()
        let cache = TemporaryDirectory()
        let environment = ["PIPEOPS_CACHE": cache.path]
        let file = cache.path + "/isolation"
        let first = try CLI.run(
            ["run", "--env", "dev"], in: product.path, environment: environment, unsettingPrefixes: ["PIPEOPS_ISOLATION"])
        #expect(first.status == 0, "\(first.stderr)")
        let probed = try #require(isolation(first))
        let kept = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(kept.count == 2 && kept[1] == probed, "the probe's answer is kept: \(kept)")
        #expect(kept.first?.hasPrefix("v1 boot=") == true)

        // The same key with another answer: the run takes the file's word (the probe did not run).
        try Data("\(kept[0])\nrewrite\n".utf8).write(to: URL(fileURLWithPath: file))
        let second = try CLI.run(
            ["run", "--env", "dev"], in: product.path, environment: environment, unsettingPrefixes: ["PIPEOPS_ISOLATION"])
        #expect(second.status == 0 && isolation(second) == "rewrite", "\(second.stdout)\(second.stderr)")

        // Another key (another boot, say): the probe runs again and its answer replaces the file's.
        try Data("v1 boot=another\nrewrite\n".utf8).write(to: URL(fileURLWithPath: file))
        let third = try CLI.run(
            ["run", "--env", "dev"], in: product.path, environment: environment, unsettingPrefixes: ["PIPEOPS_ISOLATION"])
        #expect(third.status == 0 && isolation(third) == probed, "\(third.stdout)\(third.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "\(kept[0])\n\(probed)\n")
    }
}
