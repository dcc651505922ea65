import Foundation
import PipeOpsModel

/// AWS credentials. The secret and the session token never appear in descriptions or logs.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Where they came from, for messages ("environment", "profile ci in /home/me/.aws/credentials").
    public var source: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "explicit") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String {
        "AWSCredentials(\(AWSCredentials.redact(accessKeyId)) from \(source)\(sessionToken == nil ? "" : ", with session token"))"
    }

    public var debugDescription: String { description }

    /// `AKIA…WXYZ`: enough to tell keys apart, not enough to use one.
    public static func redact(_ keyId: String) -> String {
        keyId.count > 8 ? "\(keyId.prefix(4))…\(keyId.suffix(4))" : "****"
    }
}

/// The standard credential and region chain (environment, then shared files), as the AWS CLI reads it.
public struct AWSConfigResolver: Sendable {
    public var environment: [String: String]
    public var profile: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, profile: String? = nil) {
        self.environment = environment
        self.profile = profile
    }

    public var profileName: String { profile ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default" }

    public var home: String { environment["HOME"] ?? NSHomeDirectory() }

    public var credentialsFile: String { environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials" }

    public var configFile: String { environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config" }

    /// Environment variables first (unless a profile was named explicitly), then the credentials
    /// file, then the config file.
    public func credentials() throws(PipeOpsError) -> AWSCredentials {
        if profile == nil, let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty {
            guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw .message("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both (or neither, to use a profile)")
            }
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, source: "environment")
        }
        let name = profileName
        var looked = profile == nil ? ["AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"] : []
        for (file, section) in [(credentialsFile, name), (configFile, name == "default" ? "default" : "profile \(name)")] {
            looked.append("[\(section)] in \(file)")
            guard let values = Self.ini(file)[section] else { continue }
            if let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                return AWSCredentials(
                    accessKeyId: id, secretAccessKey: secret, sessionToken: values["aws_session_token"],
                    source: "profile \(name) in \(file)")
            }
        }
        throw .message(
            "no AWS credentials found; looked at \(looked.joined(separator: ", ")). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile"
        )
    }

    /// Flag, then the environment file, then AWS_REGION/AWS_DEFAULT_REGION, then the config file.
    public func region(flag: String?, environmentFile: String?) throws(PipeOpsError) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let environmentFile, !environmentFile.isEmpty { return environmentFile }
        if let value = environment["AWS_REGION"], !value.isEmpty { return value }
        if let value = environment["AWS_DEFAULT_REGION"], !value.isEmpty { return value }
        let section = profileName == "default" ? "default" : "profile \(profileName)"
        if let value = Self.ini(configFile)[section]?["region"], !value.isEmpty { return value }
        throw .message(
            "no AWS region: pass --region, set region in the environment file, set AWS_REGION or AWS_DEFAULT_REGION, or add region to [\(section)] in \(configFile)"
        )
    }

    /// A minimal INI reader for the AWS shared files.
    public static func ini(_ path: String) -> [String: [String: String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}
