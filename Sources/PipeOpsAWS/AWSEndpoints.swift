import Foundation
import PipeOpsModel

/// The public endpoints of a region, in its partition (China regions are under amazonaws.com.cn).
public enum AWSEndpoints {
    public static func suffix(region: String) -> String { region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }

    /// `https://<host>.<region>.<suffix>/`; SageMaker's host is `api.sagemaker`.
    public static func url(service: String, region: String) -> URL {
        let host = service == "sagemaker" ? "api.sagemaker" : service
        return URL(string: "https://\(host).\(region).\(suffix(region: region))/")!
    }

    /// A configured endpoint, as the AWS CLI and SDKs find it: `flag`, then
    /// `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`.
    /// nil when none is set: the caller uses `url(service:region:)`.
    public static func configured(
        service: String, flag: String?, resolver: AWSConfigResolver,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        let section = resolver.profileName == "default" ? "default" : "profile \(resolver.profileName)"
        let candidates = [
            flag, environment["AWS_ENDPOINT_URL_\(service)"], environment["AWS_ENDPOINT_URL"],
            AWSConfigResolver.ini(resolver.configFile)[section]?["endpoint_url"],
        ]
        return candidates.compactMap { $0 }.first { !$0.isEmpty }.flatMap { URL(string: $0) }
    }
}
