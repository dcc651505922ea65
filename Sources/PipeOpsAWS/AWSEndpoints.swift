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
}
