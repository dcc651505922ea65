import Crypto
import Foundation
import PipeOpsModel

/// Credentials that may expire: fetched on first use, kept for the process, fetched again a
/// little before they expire (so a long `start --wait` keeps working). Thread-safe.
public final class CredentialProvider: @unchecked Sendable, CustomStringConvertible {
    /// Which provider of the chain supplied them, for messages (never a secret).
    public let name: String
    private let fetch: @Sendable () throws(PipeOpsError) -> (AWSCredentials, expiration: Date?)
    private let lock = NSLock()
    private var cached: (credentials: AWSCredentials, expiration: Date?)?
    /// Refresh this long before expiry (the CLI uses 15 minutes for assumed roles, 5 elsewhere).
    let margin: TimeInterval
    public private(set) var fetches = 0

    public init(
        name: String, margin: TimeInterval = 300, fetch: @escaping @Sendable () throws(PipeOpsError) -> (AWSCredentials, expiration: Date?)
    ) {
        self.name = name
        self.margin = margin
        self.fetch = fetch
    }

    public static func fixed(_ credentials: AWSCredentials) -> CredentialProvider {
        CredentialProvider(name: credentials.source) { (credentials, nil) }
    }

    public var description: String { "CredentialProvider(\(name))" }

    /// When the current credentials expire, if they do.
    public var expiration: Date? { lock.withLock { cached?.expiration } }

    public func credentials(now: Date = Date()) throws(PipeOpsError) -> AWSCredentials {
        lock.lock()
        defer { lock.unlock() }
        if let cached, cached.expiration.map({ $0.timeIntervalSince(now) > margin }) ?? true { return cached.credentials }
        let fresh = try fetch()
        fetches += 1
        cached = (fresh.0, fresh.expiration)
        return fresh.0
    }
}

/// The AWS CLI's credential chain, in its order: environment variables; a web identity token
/// (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN); the profile (assume-role with source_profile or
/// credential_source, web identity, SSO, static keys, credential_process); container
/// credentials; instance metadata (IMDSv2). A named profile skips the environment variables.
public struct CredentialChain: Sendable {
    public var resolver: AWSConfigResolver
    /// The region STS and the SSO portal are called in when nothing else says.
    public var region: String
    public var transport: any HTTPTransport

    public init(resolver: AWSConfigResolver, region: String, transport: any HTTPTransport = CurlTransport(timeout: 15)) {
        self.resolver = resolver
        self.region = region
        self.transport = transport
    }

    var environment: [String: String] { resolver.environment }

    public func provider() throws(PipeOpsError) -> CredentialProvider {
        if resolver.profile == nil, let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty {
            return .fixed(try resolver.credentials())
        }
        if resolver.profile == nil, let tokenFile = nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE"), let role = nonEmpty("AWS_ROLE_ARN") {
            return webIdentity(tokenFile: tokenFile, role: role, session: nonEmpty("AWS_ROLE_SESSION_NAME"), via: "environment")
        }
        if let provider = try profileProvider(resolver.profileName, depth: 0) { return provider }
        if let relative = nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return container(URL(string: "http://169.254.170.2" + relative))
        }
        if let full = nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") { return container(URL(string: full)) }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true", resolver.profile == nil,
            let imds = try? instanceMetadata(), (try? imds.credentials()) != nil
        {
            return imds
        }
        _ = try resolver.credentials() // the "looked at …" error, naming every place
        throw .message("no AWS credentials found")
    }

    func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }

    // MARK: Profiles

    func section(_ profile: String) -> (config: [String: String], credentials: [String: String]) {
        let config = AWSConfigResolver.ini(resolver.configFile)[profile == "default" ? "default" : "profile \(profile)"] ?? [:]
        let credentials = AWSConfigResolver.ini(resolver.credentialsFile)[profile] ?? [:]
        return (config, credentials)
    }

    func profileProvider(_ name: String, depth: Int) throws(PipeOpsError) -> CredentialProvider? {
        guard depth < 8 else { throw .message("profile \(name): source_profile chains are longer than 8 (a loop?)") }
        let (config, credentials) = section(name)
        let values = config.merging(credentials) { _, fromCredentials in fromCredentials }
        if values.isEmpty { return nil }
        if let role = values["role_arn"] {
            if values["mfa_serial"] != nil {
                throw .message(
                    "profile \(name) assumes \(role) with MFA (mfa_serial), and pipeops does not prompt for codes; use a profile without MFA, or export credentials from 'aws sts assume-role' first"
                )
            }
            if let tokenFile = values["web_identity_token_file"] {
                return webIdentity(tokenFile: tokenFile, role: role, session: values["role_session_name"], via: "profile \(name)")
            }
            let source: CredentialProvider
            if let sourceProfile = values["source_profile"] {
                if sourceProfile == name, let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                    source = .fixed(
                        AWSCredentials(
                            accessKeyId: id, secretAccessKey: secret, sessionToken: values["aws_session_token"], source: "profile \(name)"))
                } else {
                    guard let inner = try profileProvider(sourceProfile, depth: depth + 1) else {
                        throw .message(
                            "profile \(name): source_profile \(sourceProfile) is not in \(resolver.configFile) or \(resolver.credentialsFile)"
                        )
                    }
                    source = inner
                }
            } else if let kind = values["credential_source"] {
                switch kind {
                case "Environment": source = .fixed(try AWSConfigResolver(environment: environment).credentials())
                case "EcsContainer":
                    guard
                        let uri = nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                            ?? nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").map({ "http://169.254.170.2" + $0 })
                    else {
                        throw .message(
                            "profile \(name): credential_source EcsContainer, but no AWS_CONTAINER_CREDENTIALS_* variable is set")
                    }
                    source = container(URL(string: uri))
                case "Ec2InstanceMetadata": source = try instanceMetadata()
                default:
                    throw .message(
                        "profile \(name): credential_source '\(kind)' is not one of Environment, Ec2InstanceMetadata, EcsContainer")
                }
            } else {
                throw .message("profile \(name) has role_arn but neither source_profile nor credential_source; add one")
            }
            return assumeRole(role, profile: name, values: values, source: source)
        }
        if values["sso_session"] != nil || values["sso_start_url"] != nil { return try sso(name, values: values) }
        if let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
            let file = credentials["aws_access_key_id"] != nil ? resolver.credentialsFile : resolver.configFile
            return .fixed(
                AWSCredentials(
                    accessKeyId: id, secretAccessKey: secret, sessionToken: values["aws_session_token"],
                    source: "profile \(name) in \(file)"))
        }
        if let command = values["credential_process"] { return process(command, profile: name) }
        return nil
    }

    // MARK: STS

    /// `--endpoint-url` (or another explicit endpoint the command resolved), when given.
    public var endpointOverride: URL?

    public var stsEndpoint: URL {
        if let url = endpointOverride ?? nonEmpty("AWS_ENDPOINT_URL_STS").flatMap(URL.init(string:))
            ?? nonEmpty("AWS_ENDPOINT_URL").flatMap(URL.init(string:))
        {
            return url
        }
        return AWSEndpoints.url(service: "sts", region: region)
    }

    static func form(_ fields: [(String, String)]) -> Data {
        Data(fields.map { "\(SigV4Signer.encode($0.0, keeping: ""))=\(SigV4Signer.encode($0.1, keeping: ""))" }.joined(separator: "&").utf8)
    }

    /// An STS Query call; signed with `signer` unless the action takes no credentials.
    func sts(_ fields: [(String, String)], signer: SigV4Signer?, what: String) throws(PipeOpsError) -> (AWSCredentials, Date?) {
        let url = stsEndpoint
        let body = Self.form([("Version", "2011-06-15")] + fields)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", SigV4Signer.host(of: url)),
        ]
        if let signer { headers = signer.sign(SigV4Signer.Request(method: "POST", url: url, headers: headers, body: body)).headers }
        let response = try transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
        guard (200..<300).contains(response.status) else {
            let code = S3Client.element("Code", in: response.body) ?? "HTTP \(response.status)"
            let message = Redaction.redact(S3Client.element("Message", in: response.body) ?? "")
            throw .message("\(what) failed: STS \(code)\(message.isEmpty ? "" : ": \(message)")")
        }
        guard let id = S3Client.element("AccessKeyId", in: response.body),
            let secret = S3Client.element("SecretAccessKey", in: response.body)
        else { throw .message("\(what): STS answered without credentials") }
        let token = S3Client.element("SessionToken", in: response.body)
        let expiration = S3Client.element("Expiration", in: response.body).flatMap(Self.date)
        return (AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, source: what), expiration)
    }

    /// STS GetCallerIdentity: the account and ARN the credentials belong to.
    public func callerIdentity(_ credentials: AWSCredentials) throws(PipeOpsError) -> (account: String, arn: String) {
        let url = stsEndpoint
        let body = Self.form([("Version", "2011-06-15"), ("Action", "GetCallerIdentity")])
        let signer = SigV4Signer(credentials: credentials, region: region, service: "sts")
        let headers = signer.sign(
            SigV4Signer.Request(
                method: "POST", url: url,
                headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", SigV4Signer.host(of: url))],
                body: body)
        ).headers
        let response = try transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
        guard (200..<300).contains(response.status), let account = S3Client.element("Account", in: response.body) else {
            let code = S3Client.element("Code", in: response.body) ?? "HTTP \(response.status)"
            throw .message("STS GetCallerIdentity failed: \(code)")
        }
        return (account, S3Client.element("Arn", in: response.body) ?? "?")
    }

    func sessionName(_ configured: String?) -> String { configured ?? "pipeops-\(Int(Date().timeIntervalSince1970))" }

    func webIdentity(tokenFile: String, role: String, session: String?, via: String) -> CredentialProvider {
        let chain = self
        let name = "web identity (\(via): \(role))"
        return CredentialProvider(name: name) { () throws(PipeOpsError) in
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                !token.isEmpty
            else { throw .message("web identity token file \(tokenFile) (\(via)) cannot be read or is empty") }
            return try chain.sts(
                [
                    ("Action", "AssumeRoleWithWebIdentity"), ("RoleArn", role), ("RoleSessionName", chain.sessionName(session)),
                    ("WebIdentityToken", token),
                ],
                signer: nil, what: name)
        }
    }

    func assumeRole(_ role: String, profile: String, values: [String: String], source: CredentialProvider) -> CredentialProvider {
        let chain = self
        let name = "assume role \(role) (profile \(profile), from \(source.name))"
        return CredentialProvider(name: name, margin: 900) { () throws(PipeOpsError) in
            var fields = [("Action", "AssumeRole"), ("RoleArn", role), ("RoleSessionName", chain.sessionName(values["role_session_name"]))]
            if let external = values["external_id"] { fields.append(("ExternalId", external)) }
            if let duration = values["duration_seconds"] { fields.append(("DurationSeconds", duration)) }
            let signer = SigV4Signer(credentials: try source.credentials(), region: chain.region, service: "sts")
            return try chain.sts(fields, signer: signer, what: name)
        }
    }

    // MARK: SSO

    func sso(_ profile: String, values: [String: String]) throws(PipeOpsError) -> CredentialProvider {
        var settings = values
        var cacheKey = values["sso_start_url"] ?? ""
        if let session = values["sso_session"] {
            let sessionValues = AWSConfigResolver.ini(resolver.configFile)["sso-session \(session)"] ?? [:]
            guard !sessionValues.isEmpty else {
                throw .message("profile \(profile): [sso-session \(session)] is not in \(resolver.configFile)")
            }
            settings.merge(sessionValues) { profileValue, _ in profileValue }
            cacheKey = session
        }
        guard let account = settings["sso_account_id"], let role = settings["sso_role_name"], let ssoRegion = settings["sso_region"] else {
            throw .message("profile \(profile): SSO needs sso_account_id, sso_role_name and sso_region")
        }
        let digest = Hex.lowercase(Insecure.SHA1.hash(data: Data(cacheKey.utf8)))
        let cacheFile = resolver.home + "/.aws/sso/cache/\(digest).json"
        let chain = self
        let name = "SSO (profile \(profile): account \(account), role \(role))"
        return CredentialProvider(name: name) { () throws(PipeOpsError) in
            guard let data = FileManager.default.contents(atPath: cacheFile),
                let cache = try? DocumentLoader.parse(data: data, path: cacheFile, syntax: .json).root,
                let token = cache["accessToken"]?.string
            else {
                throw .message("no SSO sign-in for profile \(profile) (no token in \(cacheFile)): run 'aws sso login --profile \(profile)'")
            }
            if let expires = cache["expiresAt"]?.string.flatMap(Self.date), expires < Date() {
                throw .message(
                    "the SSO sign-in of profile \(profile) expired at \(Timestamp.string(expires)): run 'aws sso login --profile \(profile)'"
                )
            }
            let base =
                chain.nonEmpty("AWS_ENDPOINT_URL_SSO") ?? chain.nonEmpty("AWS_ENDPOINT_URL")
                ?? "https://portal.sso.\(ssoRegion).\(AWSEndpoints.suffix(region: ssoRegion))"
            let query = "account_id=\(SigV4Signer.encode(account, keeping: ""))&role_name=\(SigV4Signer.encode(role, keeping: ""))"
            guard let url = URL(string: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/federation/credentials?" + query)
            else {
                throw .message("profile \(profile): invalid SSO endpoint \(base)")
            }
            let response = try chain.transport.send(
                HTTPRequest(method: "GET", url: url, headers: [("x-amz-sso_bearer_token", token)], body: Data()))
            guard (200..<300).contains(response.status) else {
                if response.status == 401 || response.status == 403 {
                    throw .message(
                        "the SSO portal refused the sign-in of profile \(profile) (HTTP \(response.status)): run 'aws sso login --profile \(profile)'"
                    )
                }
                throw .message("SSO GetRoleCredentials for profile \(profile) failed with HTTP \(response.status)")
            }
            guard let root = try? DocumentLoader.parse(data: response.body, path: "sso", syntax: .json).root,
                let credentials = root["roleCredentials"],
                let id = credentials["accessKeyId"]?.string, let secret = credentials["secretAccessKey"]?.string
            else { throw .message("SSO GetRoleCredentials for profile \(profile) answered without credentials") }
            let expiration = credentials["expiration"]?.double.map { Date(timeIntervalSince1970: $0 / 1000) }
            return (
                AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: credentials["sessionToken"]?.string, source: name),
                expiration
            )
        }
    }

    // MARK: credential_process, containers, instance metadata

    func process(_ command: String, profile: String) -> CredentialProvider {
        let name = "credential_process (profile \(profile))"
        return CredentialProvider(name: name) { () throws(PipeOpsError) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch { throw .message("\(name) cannot start: \(error.localizedDescription)") }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            _ = process.waitForExit()
            guard process.terminationStatus == 0 else { throw .message("\(name) exited with status \(process.terminationStatus)") }
            guard let root = try? DocumentLoader.parse(data: data, path: "credential_process", syntax: .json).root,
                root["Version"]?.int == 1, let id = root["AccessKeyId"]?.string, let secret = root["SecretAccessKey"]?.string
            else { throw .message("\(name) printed no {\"Version\": 1, \"AccessKeyId\", \"SecretAccessKey\"} JSON") }
            return (
                AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: root["SessionToken"]?.string, source: name),
                root["Expiration"]?.string.flatMap(Self.date)
            )
        }
    }

    func container(_ url: URL?) -> CredentialProvider {
        let chain = self
        return CredentialProvider(name: "container credentials (\(url?.host ?? "?"))") { () throws(PipeOpsError) in
            guard let url else { throw .message("AWS_CONTAINER_CREDENTIALS_* does not hold a URL") }
            var headers: [(name: String, value: String)] = []
            if let token = chain.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
                headers.append(("Authorization", token))
            } else if let file = chain.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            {
                headers.append(("Authorization", token))
            }
            let response = try chain.transport.send(HTTPRequest(method: "GET", url: url, headers: headers, body: Data()))
            return try Self.metadataCredentials(response, what: "container credentials at \(url.host ?? "")")
        }
    }

    func instanceMetadata() throws(PipeOpsError) -> CredentialProvider {
        let base = (nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254").trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        let transport = CurlTransport(timeout: 1)
        return CredentialProvider(name: "instance metadata (IMDSv2)") { () throws(PipeOpsError) in
            guard let tokenURL = URL(string: base + "/latest/api/token"),
                let listURL = URL(string: base + "/latest/meta-data/iam/security-credentials/")
            else { throw .message("invalid AWS_EC2_METADATA_SERVICE_ENDPOINT \(base)") }
            let token = try transport.send(
                HTTPRequest(method: "PUT", url: tokenURL, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], body: Data()))
            guard token.status == 200 else { throw .message("instance metadata refused a session token (HTTP \(token.status))") }
            let header = [("X-aws-ec2-metadata-token", String(decoding: token.body, as: UTF8.self))]
            let list = try transport.send(HTTPRequest(method: "GET", url: listURL, headers: header, body: Data()))
            guard list.status == 200, let role = String(decoding: list.body, as: UTF8.self).split(separator: "\n").first,
                let roleURL = URL(string: listURL.absoluteString + role)
            else { throw .message("the instance has no IAM role") }
            let response = try transport.send(HTTPRequest(method: "GET", url: roleURL, headers: header, body: Data()))
            return try Self.metadataCredentials(response, what: "instance metadata role \(role)")
        }
    }

    static func metadataCredentials(_ response: HTTPResponse, what: String) throws(PipeOpsError) -> (AWSCredentials, Date?) {
        guard (200..<300).contains(response.status) else { throw .message("\(what) answered HTTP \(response.status)") }
        guard let root = try? DocumentLoader.parse(data: response.body, path: "credentials", syntax: .json).root,
            let id = root["AccessKeyId"]?.string, let secret = root["SecretAccessKey"]?.string
        else { throw .message("\(what) answered without credentials") }
        return (
            AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: root["Token"]?.string, source: what),
            root["Expiration"]?.string.flatMap(date)
        )
    }

    static func date(_ text: String) -> Date? {
        // Whole seconds: Foundation's parser takes at most three fraction digits, STS sends six.
        let text = text.replacingOccurrences(of: #"\.[0-9]+"#, with: "", options: .regularExpression)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // The SSO cache writes "2026-11-30T10:00:00UTC".
        return formatter.date(from: text.replacingOccurrences(of: "UTC", with: "Z"))
    }
}
