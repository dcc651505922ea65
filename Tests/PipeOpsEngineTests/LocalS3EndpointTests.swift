import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsEngine
@testable import PipeOpsModel

/// Steps that call S3 themselves (boto3, the SDK's @step runtime) reach the run's local S3
/// through its endpoint, with the run's key and no other credential.
@Suite struct LocalS3EndpointTests {
    static var peersPython: String {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].map { $0 + "/pipeops" } ?? (environment["HOME"] ?? "/root") + "/.cache/pipeops"
        return (environment["PIPEOPS_PEERS"] ?? cache + "/venvs/test-peers") + "/bin/python"
    }

    static let script = """
        import os, urllib.request, urllib.error
        import boto3, botocore
        s3 = boto3.client("s3", region_name="us-east-1")
        rows = s3.get_object(Bucket="data-bucket", Key="in/rows.csv")["Body"].read().decode()
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket="data-bucket", Prefix="in/")["Contents"]]
        s3.put_object(Bucket="out-bucket", Key="report/summary.txt", Body=("%d rows; listed %s" % (rows.count("\\n"), listed)).encode())
        head = s3.head_object(Bucket="out-bucket", Key="report/summary.txt")["ContentLength"]
        part = s3.get_object(Bucket="data-bucket", Key="in/rows.csv", Range="bytes=0-1")["Body"].read().decode()
        try:
            s3.put_object(Bucket="data-bucket", Key="in/forged.csv", Body=b"x")
            mount = "written"
        except botocore.exceptions.ClientError as error:
            mount = error.response["Error"]["Code"]
        try:
            urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL_S3"] + "/out-bucket/report/summary.txt")
            unsigned = "served"
        except urllib.error.HTTPError as error:
            unsigned = str(error.code)
        big = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pipeops-big-%d" % os.getpid())
        with open(big, "wb") as handle:
            handle.write(os.urandom(9 * 1024 * 1024))  # over boto3's 8 MiB: a multipart upload, ranged downloads
        s3.upload_file(big, "out-bucket", "model/model.bin")
        s3.download_file("out-bucket", "model/model.bin", big + ".back")
        same = open(big, "rb").read() == open(big + ".back", "rb").read()
        os.unlink(big); os.unlink(big + ".back")
        key = boto3.Session().get_credentials().access_key
        print("head=%d part=%s mount=%s unsigned=%s key=%s shared=%s multipart=%s" % (
            head, part, mount, unsigned, key[:12], os.environ.get("AWS_SHARED_CREDENTIALS_FILE"), same))
        """

    @Test func aBoto3StepReadsListsAndWritesTheRunsStoreAndNothingElse() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.peersPython), "run scripts/install-deps.sh: no test-peers venv")
        let bench = EngineBench()
        let data = bench.root + "/fixtures/in"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Data("a,b\n1,2\n3,4\n".utf8).write(to: URL(fileURLWithPath: data + "/rows.csv"))
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: bench.root + "/uses_s3.py"))
        let pipeline = try bench.pipeline(
            """
            Version: "2020-12-01"
            Steps:
            \(EngineBench.shellStep("UsesS3", "\(Self.peersPython) \(bench.root)/uses_s3.py"))
            """)
        let record = try bench.run(pipeline, mounts: [LocalS3.Mount(prefix: "s3://data-bucket/in/", directory: data)])
        let step = try #require(bench.step(record, "UsesS3"))
        let stdout =
            (try? String(contentsOfFile: bench.root + "/.pipeops/executions/\(record.id)/steps/UsesS3/stdout.log", encoding: .utf8)) ?? ""
        let stderr =
            (try? String(contentsOfFile: bench.root + "/.pipeops/executions/\(record.id)/steps/UsesS3/stderr.log", encoding: .utf8)) ?? ""
        #expect(step.status == .succeeded, "\(step.failureReason ?? "") \(stderr)")
        #expect(
            try bench.s3("s3://out-bucket/report/summary.txt") == "3 rows; listed ['in/rows.csv']", "what the step wrote is in the store")
        #expect(
            stdout.contains("head=30 part=a, mount=AccessDenied unsigned=403 key=PIPEOPSLOCAL shared=/dev/null multipart=True"), "\(stdout)"
        )
        #expect(!FileManager.default.fileExists(atPath: data + "/forged.csv"), "a local.s3 folder stays read-only")
    }
}
