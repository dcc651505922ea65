import Foundation
import PipeOpsTestSupport

/// A real moto_server on 127.0.0.1 and a free port, for one test; stopped on deinit.
final class MotoServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let probe = try runTool(
            ["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], in: "/")
        guard let port = Int(probe.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("no free port: \(probe.output)")
        }
        self.port = port
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let ready = try runTool(
            [
                "python3", "-c",
                """
                import socket, sys, time
                deadline = time.time() + 30
                while time.time() < deadline:
                    try:
                        socket.create_connection(("127.0.0.1", \(port)), timeout=0.5).close()
                        sys.exit(0)
                    except OSError:
                        time.sleep(0.1)
                sys.exit(1)
                """,
            ], in: "/")
        guard ready.status == 0 else {
            process.terminate()
            throw CLIError("moto_server did not start on port \(port)")
        }
    }

    deinit {
        // moto_server (werkzeug) does not always stop on SIGTERM: kill it.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension MotoServer {
    /// Runs a few lines of Python with a botocore client of `service` on this server, bound to
    /// `name` (an independent client: what pipeops wrote is read back through botocore).
    func botocore(_ service: String, as name: String, _ script: String) throws -> String {
        let program = """
            import json, sys
            import botocore.session
            session = botocore.session.get_session()
            \(name) = session.create_client("\(service)", region_name="us-east-1", endpoint_url="\(endpoint)",
                aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="test")

            """ + script
        let result = try runTool(["python3", "-c", program], in: "/")
        guard result.status == 0 else { throw CLIError("botocore script failed: \(result.output)") }
        return result.output
    }

    /// `botocore` with an S3 client bound to `s3`.
    func s3(_ script: String) throws -> String { try botocore("s3", as: "s3", script) }

    func createBucket(_ name: String) throws {
        _ = try s3("s3.create_bucket(Bucket=\"\(name)\")")
    }

    /// Every key in `bucket`, sorted.
    func keys(in bucket: String) throws -> [String] {
        let output = try s3(
            "print(json.dumps(sorted(o['Key'] for o in s3.list_objects_v2(Bucket=\"\(bucket)\").get('Contents', []))))")
        return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String]) ?? []
    }
}
