import Foundation

/// The SageMaker PipelineName rule (botocore), shared by the lint rule and `pipeops init`.
public enum PipelineName {
    /// `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$`.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "a pipeline name cannot be empty" }
        guard name.count <= 256 else { return "pipeline name is \(name.count) characters; the limit is 256" }
        if let bad = name.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            return "pipeline name '\(name)' contains '\(bad)'; use letters, digits and hyphens only (e.g. '\(suggest(name))')"
        }
        if name.hasPrefix("-") || name.hasSuffix("-") {
            return "pipeline name '\(name)' must start and end with a letter or digit"
        }
        return nil
    }

    static func suggest(_ name: String) -> String {
        let mapped = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return mapped.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
