import Foundation
import PipeOpsAWS
import PipeOpsModel

/// How a command reaches AWS, as its flags say: everything else (credentials, endpoints, the
/// region's partition) is resolved here, once, the same way for every command.
public struct AWSSettings: Sendable {
    /// `--endpoint-url`: one endpoint for every service (a local stand-in such as moto serves them all).
    public var endpointURL: String?
    public var region: String?
    public var profile: String?
    /// Every API request and the credentials' source, never a secret (`--verbose`).
    public var log: (@Sendable (String) -> Void)?

    public init(endpointURL: String? = nil, region: String? = nil, profile: String? = nil, log: (@Sendable (String) -> Void)? = nil) {
        self.endpointURL = endpointURL
        self.region = region
        self.profile = profile
        self.log = log
    }

    /// An endpoint as the AWS CLI finds it: the flag, then
    /// AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the profile's endpoint_url; nil:
    /// the public endpoint of the region's partition.
    public func endpoint(service: String) -> URL? {
        AWSEndpoints.configured(
            service: service, flag: endpointURL, resolver: AWSConfigResolver(profile: profile))
    }

    /// A signed SageMaker client for the environment's region (the flag wins over it).
    func connect(environmentRegion: String?) throws(PipeOpsError) -> AWSSession {
        let resolver = AWSConfigResolver(profile: profile)
        let region = try resolver.region(flag: region, environmentFile: environmentRegion)
        let provider = try CredentialChain(resolver: resolver, region: region).provider()
        let credentials = try provider.credentials()
        log?("using \(credentials) (\(provider.name)) in \(region)")
        var client = SageMakerClient(
            region: region, credentials: credentials, endpoint: endpoint(service: "SAGEMAKER"), transport: CurlTransport(),
            maxAttempts: 5, log: log)
        client.provider = provider
        return AWSSession(client: client, s3Endpoint: endpoint(service: "S3"))
    }
}

/// A connected SageMaker client and where its S3 is.
struct AWSSession {
    var client: SageMakerClient
    var s3Endpoint: URL?
}

extension SageMakerClient.CallError {
    /// The error as every command reports it.
    public var asToolError: PipeOpsError {
        switch self {
        case .service(let error): return .message("SageMaker \(error.code): \(error.message)")
        case .tool(let error): return error
        }
    }
}

extension Error {
    /// Any error of a use case as a `PipeOpsError` (SageMaker's own errors named as such).
    var asToolError: PipeOpsError {
        if let error = self as? PipeOpsError { return error }
        if let error = self as? SageMakerClient.CallError { return error.asToolError }
        return .message("\(self)")
    }
}
