import Foundation

/// Python definitions: what an entry names (here) and how it is compiled (PipeOpsWorkspace).
public enum PythonDefinition {
    /// What `pipeline.definition` names when it is Python: a file or a dotted module, and the
    /// attribute to build the pipeline with (`get_pipeline` unless the entry names one).
    public struct Entry: Sendable, Equatable {
        /// `pipeline/definition.py` (relative to the product), or nil for a module entry.
        public var file: String?
        /// `pipelines.abalone.pipeline`, imported with the product's root on sys.path.
        public var module: String?
        /// A function (called with the kwargs), `Class.method` (the class gets the kwargs, the
        /// method builds), or a module-level Pipeline object.
        public var attribute: String
    }

    /// `FILE.py`, `FILE.py:NAME`, `FILE.py:Class.method` or `package.module:NAME`; nil for a
    /// JSON or YAML definition.
    public static func entry(_ definition: String) -> Entry? {
        var target = definition
        var attribute = "get_pipeline"
        if let colon = definition.lastIndex(of: ":"), !definition[definition.index(after: colon)...].contains("/") {
            target = String(definition[..<colon])
            attribute = String(definition[definition.index(after: colon)...])
            let parts = attribute.split(separator: ".", omittingEmptySubsequences: false)
            guard !attribute.isEmpty, parts.count <= 2, parts.allSatisfy({ isIdentifier($0) }) else { return nil }
        }
        if target.hasSuffix(".py") { return Entry(file: target, module: nil, attribute: attribute) }
        if target != definition, target.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isIdentifier($0) }) {
            return Entry(file: nil, module: target, attribute: attribute)
        }
        return nil
    }

    package static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || first.isLetter else { return false }
        return text.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }

    public static func isPython(_ definition: String) -> Bool { entry(definition) != nil }

    /// The source file behind a definition entry (a module's `.py` or package `__init__.py`),
    /// relative to the product; the entry itself for JSON and YAML.
    public static func sourceFile(_ definition: String, in directory: String) -> String {
        guard let entry = entry(definition) else { return definition }
        if let file = entry.file { return file }
        let path = (entry.module ?? "").replacingOccurrences(of: ".", with: "/")
        return FileManager.default.fileExists(atPath: directory + "/" + path + ".py") ? path + ".py" : path + "/__init__.py"
    }

    /// Said once when a compile really runs (the CLI prints it on stderr).
    nonisolated(unsafe) public static var notice: (@Sendable (String) -> Void)?

    public static let defaultTimeout: Double = 300
    public static let defaultRegion = "us-east-1"
    public static let defaultAccount = "111111111111"
}
