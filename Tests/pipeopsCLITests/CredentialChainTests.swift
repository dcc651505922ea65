import Crypto
import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAWS
@testable import PipeOpsAnalysis
@testable import PipeOpsApp
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsReporting
@testable import PipeOpsWorkspace

/// The AWS CLI's credential chain, against moto's STS, a credential_process script and a local
/// stand-in for the SSO portal, container and instance-metadata endpoints.
@Suite(.serialized) struct CredentialChainTests {
    /// A local stand-in (Tests/Support/credential_stand_in.py) and the requests it saw.
    final class StandIn {
        let process = Process()
        let scratch = Scratch()
        var port = 0
        var endpoint: String { "http://127.0.0.1:\(port)" }
        var log: String { scratch.path + "/requests.jsonl" }

        init() throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", CLI.repository.appendingPathComponent("Tests/Support/credential_stand_in.py").path, log]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            port = Int(String(decoding: line, as: UTF8.self)) ?? 0
            try #require(port > 0, "the stand-in did not start")
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        var requests: [[String: Any]] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    /// A HOME with ~/.aws/config, and an environment with no AWS_* of the machine's.
    static func home(config: String) -> (Scratch, [String: String]) {
        let home = Scratch()
        home.write(".aws/config", config)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["HOME"] = home.path
        environment["AWS_CONFIG_FILE"] = home.path + "/.aws/config"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = home.path + "/.aws/credentials"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        return (home, environment)
    }

    static let secrets = [
        "base-secret-SECRET", "sso-access-token-SECRET", "sso-secret-SECRET", "sso-session-SECRET", "container-auth-SECRET",
        "container-secret-SECRET", "container-session-SECRET", "process-secret-SECRET", "process-token-SECRET", "web-identity-jwt-SECRET",
    ]

    /// The binary with exactly `environment` (none of the machine's AWS_*), its output checked
    /// for every secret of every provider.
    func run(_ arguments: [String], in directory: String, _ environment: [String: String]) throws -> CLI.Result {
        let result = try CLI.run(arguments, in: directory, environment: environment, unsettingPrefixes: ["AWS_"])
        for secret in Self.secrets {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(secret) printed by \(arguments)")
        }
        return result
    }

    @Test func chainedAssumeRoleProfilesGoThroughSTS() throws {
        let moto = try MotoServer()
        let (home, environment) = Self.home(
            config: """
                [profile base]
                aws_access_key_id = AKIABASEBASEBASE1234
                aws_secret_access_key = base-secret-SECRET
                [profile deployer]
                role_arn = arn:aws:iam::123456789012:role/deployer
                source_profile = base
                role_session_name = release
                [profile release]
                role_arn = arn:aws:iam::123456789012:role/release
                source_profile = deployer
                external_id = ticket-42
                [profile mfa]
                role_arn = arn:aws:iam::123456789012:role/admin
                source_profile = base
                mfa_serial = arn:aws:iam::123456789012:mfa/me
                """)
        var env = environment
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        let doctor = try run(["doctor", "--aws", "--profile", "release", "--region", "us-east-1"], in: home.path, env)
        #expect(doctor.status == 0, "\(doctor.stderr)")
        #expect(
            doctor.stdout.contains(
                "assume role arn:aws:iam::123456789012:role/release (profile release, from assume role arn:aws:iam::123456789012:role/deployer (profile deployer, from profile base"
            ), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("account      123456789012"), "\(doctor.stdout)")

        let product = try SageMakerCommandTests.product()
        try moto.createBucket("churn-model-artifacts")
        let upsert = try run(
            ["upsert", "--env", "dev", "--profile", "release", "--region", "us-east-1", "--endpoint-url", moto.endpoint, "-v"],
            in: product.path, env)
        #expect(upsert.status == 0, "\(upsert.stderr)")
        #expect(upsert.stderr.contains("(assume role arn:aws:iam::123456789012:role/release"), "\(upsert.stderr)")

        let mfa = try run(["doctor", "--aws", "--profile", "mfa", "--region", "us-east-1"], in: home.path, env)
        #expect(mfa.status == 2)
        #expect(mfa.stderr.contains("with MFA (mfa_serial), and pipeops does not prompt for codes"), "\(mfa.stderr)")
    }

    @Test func webIdentityFromTheEnvironment() throws {
        let moto = try MotoServer()
        let (home, environment) = Self.home(config: "")
        home.write("token.jwt", "web-identity-jwt-SECRET\n")
        var env = environment
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = home.path + "/token.jwt"
        env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci"
        let doctor = try run(["doctor", "--aws", "--region", "eu-west-1"], in: home.path, env)
        #expect(doctor.status == 0, "\(doctor.stderr)")
        #expect(doctor.stdout.contains("web identity (environment: arn:aws:iam::123456789012:role/ci)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("with a session token"))
    }

    @Test func credentialProcessIsRefreshedBeforeItsCredentialsExpire() throws {
        let (home, environment) = Self.home(config: "")
        let counter = home.path + "/calls"
        for (name, seconds) in [("long", 3600), ("short", 60)] {
            home.write(
                "\(name).sh",
                """
                #!/bin/sh
                echo x >> '\(counter)-\(name)'
                expires=$(date -u -d "+\(seconds) seconds" +%Y-%m-%dT%H:%M:%SZ)
                printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process-secret-SECRET", "SessionToken": "process-token-SECRET", "Expiration": "%s"}' "$expires"
                """)
            #expect(chmod(home.path + "/\(name).sh", 0o755) == 0)
        }
        home.write(
            ".aws/config",
            "[profile long]\ncredential_process = \(home.path)/long.sh\n[profile short]\ncredential_process = \(home.path)/short.sh\n")
        for (name, expected) in [("long", 1), ("short", 3)] {
            let resolver = AWSConfigResolver(environment: environment, profile: name)
            let provider = try CredentialChain(resolver: resolver, region: "us-east-1").provider()
            for _ in 0..<3 { #expect(try provider.credentials().secretAccessKey == "process-secret-SECRET") }
            let calls = (try String(contentsOfFile: "\(counter)-\(name)", encoding: .utf8)).split(separator: "\n").count
            // 60 s is inside the 5-minute refresh margin: every use fetches anew; an hour is not.
            #expect(calls == expected, "\(name): \(calls) runs")
            #expect(provider.name == "credential_process (profile \(name))")
        }
        home.write(".aws/config", "[profile broken]\ncredential_process = /bin/false\n")
        #expect(throws: PipeOpsError.self) {
            try CredentialChain(resolver: AWSConfigResolver(environment: environment, profile: "broken"), region: "us-east-1").provider()
                .credentials()
        }
    }

    @Test func ssoUsesTheCLIsTokenCacheAndAsksThePortalAsBotocoreDoes() throws {
        let standIn = try StandIn()
        let (home, environment) = Self.home(
            config: """
                [profile sso-dev]
                sso_session = corp
                sso_account_id = 123456789012
                sso_role_name = Deployer
                region = eu-west-1
                [sso-session corp]
                sso_start_url = https://corp.awsapps.com/start
                sso_region = eu-west-1
                sso_registration_scopes = sso:account:access
                """)
        let digest = Insecure.SHA1.hash(data: Data("corp".utf8)).map { String(format: "%02x", $0) }.joined()
        let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(7200))
        home.write(
            ".aws/sso/cache/\(digest).json",
            #"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "sso-access-token-SECRET", "expiresAt": "\#(expires)"}"#
        )
        var env = environment
        env["AWS_ENDPOINT_URL_SSO"] = standIn.endpoint
        let resolver = AWSConfigResolver(environment: env, profile: "sso-dev")
        let provider = try CredentialChain(resolver: resolver, region: "eu-west-1").provider()
        let credentials = try provider.credentials()
        #expect(credentials.accessKeyId == "ASIASSOSTANDIN" && credentials.sessionToken == "sso-session-SECRET")
        #expect(provider.expiration != nil)

        // botocore, for the same profile and the same stand-in, sends the same request.
        let botocore = try runTool(
            [
                "env", "-i", "PATH=\(env["PATH"] ?? "")", "HOME=\(home.path)", "AWS_CONFIG_FILE=\(home.path)/.aws/config",
                "AWS_ENDPOINT_URL_SSO=\(standIn.endpoint)", "python3", "-c",
                "import botocore.session; s = botocore.session.Session(profile='sso-dev'); print(s.get_credentials().get_frozen_credentials().access_key)",
            ], in: home.path)
        #expect(botocore.status == 0, "\(botocore.output)")
        let requests = standIn.requests.filter { $0["path"] as? String == "/federation/credentials" }
        try #require(requests.count == 2, "\(standIn.requests)")
        #expect(
            NSDictionary(dictionary: requests[0]["query"] as? [String: Any] ?? [:])
                == NSDictionary(dictionary: requests[1]["query"] as? [String: Any] ?? [:]))
        #expect((requests[0]["headers"] as? [String: String]) == (requests[1]["headers"] as? [String: String]))
        #expect(requests[0]["method"] as? String == requests[1]["method"] as? String)

        // An expired sign-in names the fix.
        let past = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        home.write(
            ".aws/sso/cache/\(digest).json",
            #"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "sso-access-token-SECRET", "expiresAt": "\#(past)"}"#
        )
        let expired = try run(["doctor", "--aws", "--profile", "sso-dev"], in: home.path, env)
        #expect(expired.status == 2)
        #expect(expired.stderr.contains("run 'aws sso login --profile sso-dev'"), "\(expired.stderr)")
    }

    @Test func containerAndInstanceMetadataCredentialsComeLast() throws {
        let standIn = try StandIn()
        let (home, environment) = Self.home(config: "")
        var env = environment
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = standIn.endpoint + "/container-credentials"
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-auth-SECRET"
        let container = try CredentialChain(resolver: AWSConfigResolver(environment: env), region: "us-east-1").provider()
        #expect(try container.credentials().accessKeyId == "ASIACONTAINER")
        #expect(container.name.hasPrefix("container credentials"))

        var imdsEnv = environment
        imdsEnv["AWS_EC2_METADATA_DISABLED"] = "false"
        imdsEnv["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = standIn.endpoint
        let imds = try CredentialChain(resolver: AWSConfigResolver(environment: imdsEnv), region: "us-east-1").provider()
        #expect(try imds.credentials().accessKeyId == "ASIAINSTANCE")
        let token = standIn.requests.first { $0["path"] as? String == "/latest/api/token" }
        #expect((token?["headers"] as? [String: String])?["x-aws-ec2-metadata-token-ttl-seconds"] == "21600", "IMDSv2 session first")
        let role = standIn.requests.last { ($0["path"] as? String)?.hasSuffix("pipeops-instance-role") == true }
        #expect((role?["headers"] as? [String: String])?["x-aws-ec2-metadata-token"] == "imds-session-token")

        // Through the binary, verbose: the provider and the account, never a secret.
        let moto = try MotoServer()
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        let doctor = try run(["doctor", "--aws", "--region", "us-east-1", "-v"], in: home.path, env)
        #expect(doctor.status == 0, "\(doctor.stderr)")
        #expect(doctor.stdout.contains("container credentials (127.0.0.1)"), "\(doctor.stdout)")
        imdsEnv["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        let instance = try run(["doctor", "--aws", "--region", "us-east-1", "--format", "json"], in: home.path, imdsEnv)
        #expect(instance.stdout.contains("instance metadata (IMDSv2)"), "\(instance.stdout)\(instance.stderr)")
    }

    @Test func endpointsComeFromServiceVariablesAsTheCLIReadsThem() throws {
        let moto = try MotoServer()
        try moto.createBucket("churn-model-artifacts")
        let product = try SageMakerCommandTests.product()
        let (_, environment) = Self.home(config: "")
        var env = environment
        env["AWS_ACCESS_KEY_ID"] = "AKIAENDPOINTTEST1234"
        env["AWS_SECRET_ACCESS_KEY"] = "base-secret-SECRET"
        env["AWS_REGION"] = "us-east-1"
        env["AWS_ENDPOINT_URL_SAGEMAKER"] = moto.endpoint
        env["AWS_ENDPOINT_URL_S3"] = moto.endpoint
        env["AWS_ENDPOINT_URL_STS"] = moto.endpoint
        let upsert = try run(["upsert", "--env", "dev"], in: product.path, env)
        #expect(upsert.status == 0, "\(upsert.stderr)")
        #expect(upsert.stdout.contains("3 uploaded"), "\(upsert.stdout)")
        let doctor = try run(["doctor", "--aws"], in: product.path, env)
        #expect(doctor.stdout.contains("sagemaker    \(moto.endpoint)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("credentials  environment · key AKIA…1234"), "\(doctor.stdout)")
    }
}
