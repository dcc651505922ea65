import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsModel

/// The signer is checked against botocore's SigV4Auth (moto accepts any signature, so it cannot be the check).
@Suite struct SigV4Tests {
    struct Case {
        var method: String
        var url: String
        var headers: [(String, String)]
        var body: String
        var region = "us-east-1"
        var service = "sagemaker"
        var token: String? = nil
    }

    static let cases: [Case] = [
        Case(
            method: "POST", url: "https://api.sagemaker.us-east-1.amazonaws.com/",
            headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "SageMaker.CreatePipeline")],
            body: #"{"PipelineName":"churn-model","RoleArn":"arn:aws:iam::111111111111:role/r"}"#, token: "FQoGZXIvYXdzEXAMPLE//token+="),
        Case(method: "GET", url: "http://example.amazonaws.com/a/b/../c//d/./e", headers: [], body: ""),
        Case(
            method: "GET", url: "https://example.amazonaws.com/?b=2&a=1&a=0&empty=&z", headers: [("X-Amz-Meta", "x")], body: "",
            service: "s3-outposts"),
        Case(
            method: "PUT", url: "http://127.0.0.1:5000/bucket/my%20key/~tilde.json",
            headers: [
                ("Content-Type", "application/json"),
                ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ],
            body: "", region: "eu-west-1", service: "execute-api"),
        Case(
            method: "POST", url: "https://api.sagemaker.eu-central-1.amazonaws.com:443/",
            headers: [
                ("X-Custom", "  spaced    out  value "), ("X-Repeat", "1"), ("x-repeat", "2"), ("User-Agent", "pipeops/0.1"),
                ("X-Amzn-Trace-Id", "Root=1"),
            ],
            body: "{\"Name\":\"ümlaut ✓\"}", region: "eu-central-1", token: "tok"),
        Case(
            method: "DELETE", url: "https://example.amazonaws.com/path%2Fencoded/x", headers: [("Date", "Mon, 01 Jan 2024 00:00:00 GMT")],
            body: "", service: "service"),
        Case(
            method: "post", url: "https://API.SageMaker.us-east-1.amazonaws.com/",
            headers: [("Content-Type", "application/x-amz-json-1.1")], body: "{}"),
    ]

    static let access = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let date = Date(timeIntervalSince1970: 1_795_310_143) // 2026-11-22T...

    /// Runs Tests/Support/sigv4_reference.py (botocore) on `table`.
    static func reference(_ table: [[String: Any]]) throws -> [[String: String]] {
        let input = try JSONSerialization.data(withJSONObject: table)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.repository.appendingPathComponent("Tests/Support/sigv4_reference.py").path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "botocore reference failed: \(String(decoding: errors, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: output) as? [[String: String]])
    }

    @Test func matchesBotocoreOnATableOfRequests() throws {
        let timestamp = SigV4Signer.format(Self.date, "yyyyMMdd'T'HHmmss'Z'")
        var table: [[String: Any]] = []
        for c in Self.cases {
            table.append([
                "method": c.method, "url": c.url, "headers": c.headers.map { [$0.0, $0.1] }, "body": c.body, "timestamp": timestamp,
                "region": c.region, "service": c.service, "accessKey": Self.access, "secretKey": Self.secret,
                "token": c.token as Any? ?? NSNull(),
            ])
        }
        let expected = try Self.reference(table)
        #expect(expected.count == Self.cases.count)
        for (c, reference) in zip(Self.cases, expected) {
            let credentials = AWSCredentials(accessKeyId: Self.access, secretAccessKey: Self.secret, sessionToken: c.token)
            let signer = SigV4Signer(credentials: credentials, region: c.region, service: c.service)
            let signed = signer.sign(
                SigV4Signer.Request(
                    method: c.method, url: try #require(URL(string: c.url)), headers: c.headers.map { ($0.0, $0.1) },
                    body: Data(c.body.utf8)), date: Self.date)
            #expect(signed.canonicalRequest == reference["canonicalRequest"], "\(c.method) \(c.url)")
            #expect(signed.stringToSign == reference["stringToSign"], "\(c.method) \(c.url)")
            #expect(signed.authorization == reference["authorization"], "\(c.method) \(c.url)")
        }
    }

    /// S3 signs the path as sent (a key is percent-encoded once, never normalised) and the
    /// payload hash: the S3 client is compared with botocore's S3SigV4Auth, URL and all, on
    /// keys that break a generic signer, path-style (a custom endpoint) and virtual-hosted.
    @Test func s3RequestsMatchBotocoreS3SigV4AuthOnATableOfKeys() throws {
        let keys = [
            "code/0d5b2f/train.py", "with space/a b.py", "plus+sign+.py", "tilde~/x~y", "unicode/ü✓日本語.py", "percent%20literal%",
            "dots/../x/./y..z/.hidden", "a//double//slash", "trailing/", "query?a=b&c#frag", "equals=and;semi:colon,comma",
            "(paren)[bracket]{brace}!*'$@",
        ]
        let timestamp = SigV4Signer.format(Self.date, "yyyyMMdd'T'HHmmss'Z'")
        struct S3Case {
            var method: String
            var bucket: String
            var key: String
            var endpoint: String?
            var body: String
            var token: String?
        }
        var cases: [S3Case] = []
        for (index, key) in keys.enumerated() {
            cases.append(
                S3Case(
                    method: "PUT", bucket: "churn-artifacts", key: key, endpoint: "http://127.0.0.1:5000", body: "print('x')\n", token: nil)
            )
            cases.append(
                S3Case(
                    method: index.isMultiple(of: 2) ? "HEAD" : "PUT", bucket: "churn-artifacts", key: key, endpoint: nil,
                    body: index.isMultiple(of: 2) ? "" : "ü", token: "FQoG//token+="))
        }
        let table: [[String: Any]] = cases.map { c in
            var headers: [[String]] = []
            if c.method == "PUT" { headers = [["Content-Type", "application/octet-stream"]] }
            return [
                "s3": true, "method": c.method, "bucket": c.bucket, "key": c.key, "endpoint": c.endpoint as Any? ?? NSNull(),
                "headers": headers, "body": c.body, "timestamp": timestamp, "region": "eu-west-1", "accessKey": Self.access,
                "secretKey": Self.secret, "token": c.token as Any? ?? NSNull(),
            ]
        }
        let expected = try Self.reference(table)
        try #require(expected.count == cases.count)
        for (c, reference) in zip(cases, expected) {
            let client = S3Client(
                region: "eu-west-1",
                credentials: AWSCredentials(accessKeyId: Self.access, secretAccessKey: Self.secret, sessionToken: c.token),
                endpoint: c.endpoint.flatMap { URL(string: $0) })
            let url = try #require(client.url(bucket: c.bucket, key: c.key))
            #expect(url.absoluteString == reference["url"], "\(c.key)")
            let body = Data(c.body.utf8)
            let signed = client.signed(
                method: c.method, url: url, headers: c.method == "PUT" ? [("Content-Type", "application/octet-stream")] : [],
                payloadSha256: DefinitionHashes.sha256(body), date: Self.date)
            #expect(signed.canonicalRequest == reference["canonicalRequest"], "\(c.method) \(c.key)")
            #expect(signed.authorization == reference["authorization"], "\(c.method) \(c.key)")
        }
    }

    @Test func credentialsNeverPrint() {
        let credentials = AWSCredentials(
            accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            sessionToken: "SESSIONTOKEN123")
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials)] {
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("SESSIONTOKEN123"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        }
    }
}

@Suite struct AWSConfigTests {
    /// The environment wins over a shared credentials file and a config file that both hold
    /// other keys for the same (default) profile; without the variables, the files answer.
    @Test func environmentVariablesComeFirst() throws {
        let directory = TemporaryDirectory()
        let files = [
            "AWS_SHARED_CREDENTIALS_FILE": directory.write(
                "credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n"),
            "AWS_CONFIG_FILE": directory.write(
                "config", "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\n"),
            "HOME": directory.path,
        ]
        let environment = files.merging([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
        ]) { $1 }
        let credentials = try AWSConfigResolver(environment: environment).credentials()
        #expect(credentials.accessKeyId == "AKIDENV")
        #expect(credentials.secretAccessKey == "secret")
        #expect(credentials.sessionToken == "token")
        #expect(credentials.source == "environment")
        // The competitors are real: with the variables gone, the shared credentials file answers.
        let fromFiles = try AWSConfigResolver(environment: files).credentials()
        #expect(fromFiles.accessKeyId == "AKIDFILE")
        #expect(fromFiles.source != "environment")
    }

    @Test func profilesComeFromTheSharedFiles() throws {
        let directory = TemporaryDirectory()
        let credentialsFile = directory.write(
            "credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=s2\naws_session_token=t2\n"
        )
        let configFile = directory.write(
            "config",
            "[default]\nregion = eu-west-1\n\n[profile staging]\nregion = us-west-2\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = s3\n"
        )
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_CONFIG_FILE": configFile, "HOME": directory.path]
        #expect(try AWSConfigResolver(environment: environment).credentials().accessKeyId == "AKIDDEFAULT")
        #expect(try AWSConfigResolver(environment: environment, profile: "ci").credentials().sessionToken == "t2")
        #expect(
            try AWSConfigResolver(environment: environment.merging(["AWS_PROFILE": "staging"]) { $1 }).credentials().accessKeyId
                == "AKIDSTAGING")
        #expect(try AWSConfigResolver(environment: environment).region(flag: nil, environmentFile: nil) == "eu-west-1")
        #expect(try AWSConfigResolver(environment: environment, profile: "staging").region(flag: nil, environmentFile: nil) == "us-west-2")
        #expect(try AWSConfigResolver(environment: environment).region(flag: nil, environmentFile: "ap-south-1") == "ap-south-1")
        #expect(
            try AWSConfigResolver(environment: environment.merging(["AWS_REGION": "ca-central-1"]) { $1 }).region(
                flag: nil, environmentFile: nil) == "ca-central-1")
        #expect(try AWSConfigResolver(environment: environment).region(flag: "sa-east-1", environmentFile: "ap-south-1") == "sa-east-1")
    }

    @Test func missingCredentialsAndRegionNameThePlacesLooked() {
        let resolver = AWSConfigResolver(environment: ["HOME": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent/config"])
        do {
            _ = try resolver.credentials()
            Issue.record("credentials out of nowhere")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.contains("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"))
            #expect(message.contains("/nonexistent/.aws/credentials"))
            #expect(message.contains("/nonexistent/config"))
        }
        #expect(throws: PipeOpsError.self) { try resolver.region(flag: nil, environmentFile: nil) }
    }
}

/// A transport double: scripted answers, recorded requests (in addition to the moto tests).
@Suite struct SageMakerClientTests {
    let credentials = AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret", sessionToken: "token")

    @Test func throttlingIsRetriedAndErrorsAreDecoded() throws {
        let transport = ScriptedTransport([
            HTTPResponse(status: 400, body: Data(#"{"__type":"com.amazonaws#ThrottlingException","message":"Rate exceeded"}"#.utf8)),
            HTTPResponse(status: 200, body: Data(#"{"PipelineArn":"arn:x"}"#.utf8)),
        ])
        let client = SageMakerClient(region: "us-east-1", credentials: credentials, transport: transport)
        let answer = try client.call("DescribePipeline", Node(object: [("PipelineName", "p")]))
        #expect(answer["PipelineArn"]?.string == "arn:x")
        #expect(transport.requests.count == 2)
        let headers = Dictionary(transport.requests[0].headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["x-amz-target"] == "SageMaker.DescribePipeline")
        #expect(headers["content-type"] == "application/x-amz-json-1.1")
        #expect(headers["authorization"]?.contains("/us-east-1/sagemaker/aws4_request") == true)
        #expect(headers["x-amz-security-token"] == "token")
        #expect(transport.requests[0].url.absoluteString == "https://api.sagemaker.us-east-1.amazonaws.com")

        let failing = ScriptedTransport([
            HTTPResponse(status: 400, body: Data(#"{"__type":"ResourceNotFound","Message":"Pipeline p does not exist"}"#.utf8))
        ])
        do {
            _ = try SageMakerClient(region: "us-east-1", credentials: credentials, transport: failing).call(
                "DescribePipeline", Node(object: []))
            Issue.record("an error answer succeeded")
        } catch {
            guard case .service(let service) = error else {
                Issue.record("not a service error")
                return
            }
            #expect(service.code == "ResourceNotFound")
            #expect(service.message == "Pipeline p does not exist")
            #expect(failing.requests.count == 1, "client errors are not retried")
        }
    }
}
