import Foundation

/// A folder of step code published under an S3 prefix (`code:` in pipeops.yaml).
public struct CodeFolder: Sendable, Equatable {
    /// `s3://bucket/prefix/`, always ending in `/`.
    public var prefix: String
    /// Absolute path of the folder.
    public var directory: String
    /// The folder as pipeops.yaml names it, relative to the product (`pipeline/steps`).
    public var display: String

    public init(prefix: String, directory: String, display: String) {
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.directory = directory
        self.display = display.hasSuffix("/") ? String(display.dropLast()) : display
    }
}

public enum S3URI {
    /// `s3://bucket/key` → (bucket, key); nil without a bucket.
    public static func split(_ uri: String) -> (bucket: String, key: String)? {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        return (String(bucket), parts.count > 1 ? String(parts[1]) : "")
    }
}

/// An object `upsert` makes sure exists before the pipeline names it.
public struct CodeUpload: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var path: String
    public var sha256: String
    public var uri: String { "s3://\(bucket)/\(key)" }

    public init(bucket: String, key: String, path: String, sha256: String) {
        self.bucket = bucket
        self.key = key
        self.path = path
        self.sha256 = sha256
    }
}
