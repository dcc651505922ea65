import Foundation

/// Tests/Support/fault_proxy.py on 127.0.0.1 in front of a moto_server: a plan of faults (or a
/// seeded schedule) between pipeops and the service, and a log of what really reached moto.
final class FaultProxy: @unchecked Sendable {
    struct Rule {
        var target: String
        var fault: String
        var times = 1
        var skip = 0
    }

    struct Entry: Decodable {
        var n: Int
        var target: String
        var fault: String?
        var forwarded: Bool
        /// The request body of a JSON 1.1 call, as sent.
        var body: String?
        /// What botocore's validator said of a request a stand-in answered (nil: valid).
        var invalid: String?
    }

    let process = Process()
    let scratch = Scratch()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }
    let logPath: String

    /// `answers`: target → the JSON answer a stand-in gives for a call moto lacks.
    init(
        upstream: MotoServer, plan: [Rule] = [], seed: Int? = nil, rate: Double = 0.3, faults: [String]? = nil, stall: Double = 30,
        answers: [String: Any] = [:]
    ) throws {
        let portFile = scratch.path + "/port"
        logPath = scratch.path + "/requests.jsonl"
        var arguments = [
            "python3", CLI.repository.appendingPathComponent("Tests/Support/fault_proxy.py").path, "--upstream", upstream.endpoint,
            "--port-file", portFile, "--log", logPath, "--stall", String(stall),
        ]
        if !answers.isEmpty {
            let file = scratch.path + "/answers.json"
            try JSONSerialization.data(withJSONObject: answers).write(to: URL(fileURLWithPath: file))
            arguments += ["--answers", file]
        }
        if let seed {
            arguments += ["--seed", String(seed), "--rate", String(rate)]
            if let faults { arguments += ["--faults", faults.joined(separator: ",")] }
        } else {
            let rules = plan.map {
                "{\"target\": \"\($0.target)\", \"fault\": \"\($0.fault)\", \"times\": \($0.times), \"skip\": \($0.skip)}"
            }
            arguments += ["--plan", "[" + rules.joined(separator: ",") + "]"]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var found: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let value = Int(text) {
                found = value
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            process.terminate()
            throw CLIError("the fault proxy did not start")
        }
        port = found
    }

    /// Every request the proxy saw, in order.
    func entries() -> [Entry] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    /// How many requests for `target` reached moto.
    func forwarded(_ target: String) -> Int { entries().filter { $0.target == target && $0.forwarded }.count }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension MotoServer {
    /// `botocore` with a SageMaker client bound to `sm`.
    func sagemaker(_ script: String) throws -> String { try botocore("sagemaker", as: "sm", script) }

    /// How many executions `pipeline` has on this server.
    func executionCount(_ pipeline: String) throws -> Int {
        let text = try sagemaker(
            "print(len(sm.list_pipeline_executions(PipelineName=\"\(pipeline)\")['PipelineExecutionSummaries']))")
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The deployed definition's `pipeops:*` stamp tags (last value of each key) and whether the
    /// deployed definition is the one `render --env` gives for the commit the tags name.
    func stamp(_ pipeline: String) throws -> (tags: [String: String], definition: String) {
        let text = try sagemaker(
            """
            p = sm.describe_pipeline(PipelineName="\(pipeline)")
            tags = {}
            # One page: moto lists a re-added key twice and its pagination can then go in circles.
            for t in sm.list_tags(ResourceArn=p["PipelineArn"], MaxResults=100)["Tags"]:
                tags[t["Key"]] = t["Value"]
            print(json.dumps({"tags": {k: v for k, v in tags.items() if k.startswith("pipeops:")}, "definition": p["PipelineDefinition"]}))
            """)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return ((object?["tags"] as? [String: String]) ?? [:], (object?["definition"] as? String) ?? "")
    }
}
