import Foundation
import Yams

/// A source file loaded into a position-aware tree.
public struct Document: Sendable {
    public enum Syntax: String, Sendable { case json, yaml }

    /// The path as the user named it (used in every finding).
    public var path: String
    public var syntax: Syntax
    public var root: Node
    /// Size in bytes of the file as read.
    public var byteCount: Int
    /// Keys repeated within one object (JSON only: YAML duplicates are syntax errors).
    public var duplicateKeys: [DuplicateKey]
    /// Plain YAML scalars that YAML 1.1 reads as booleans (`yes`, `off`, …) but that load as strings here.
    public var ambiguousScalars: [(text: String, location: SourceLocation)]
    /// `# pipeops: disable=rule[,rule]` comments, by line.
    public var suppressionComments: [Int: Set<String>]
    /// False when the file's bytes hold no "AKIA", "ASIA", "secret" or "token" (any case): the
    /// secrets rule then has nothing to look at (true when the bytes are not known).
    public var mayHoldSecrets = true

    public init(
        path: String, syntax: Syntax, root: Node, byteCount: Int = 0,
        duplicateKeys: [DuplicateKey] = [], ambiguousScalars: [(text: String, location: SourceLocation)] = [],
        suppressionComments: [Int: Set<String>] = [:]
    ) {
        self.path = path
        self.syntax = syntax
        self.root = root
        self.byteCount = byteCount
        self.duplicateKeys = duplicateKeys
        self.ambiguousScalars = ambiguousScalars
        self.suppressionComments = suppressionComments
    }
}

/// Why a document could not be loaded. `.syntax` problems are the file's content and become
/// findings; the others are I/O problems (exit 2).

public enum DocumentLoader {
    /// Files larger than this are refused before reading: SageMaker accepts 1 MB definitions, and
    /// even a 50,000-step generated definition stays well below it.
    public static let maximumFileBytes = 64 * 1024 * 1024
    /// The most values YAML aliases may expand a document to (alias-bomb guard).
    public static let maximumExpandedValues = 4_000_000

    /// Reads and parses `path`. JSON is chosen by a `.json` extension or a leading `{`/`[`.
    public static func load(path: String, fileManager: FileManager = .default) throws(LoadError) -> Document {
        let data = try read(path: path, fileManager: fileManager)
        return try parse(data: data, path: path)
    }

    static func read(path: String, fileManager: FileManager) throws(LoadError) -> Data {
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .io(.fileNotFound(path))
        }
        if isDirectory.boolValue { throw .io(.isDirectory(path)) }
        let size = (try? fileManager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > maximumFileBytes { throw .io(.fileTooLarge(path, bytes: size, limit: maximumFileBytes)) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io(.unreadable(path, reason: "permission denied")) }
        defer { try? handle.close() }
        // Read at most one byte past the limit so a file that grows (or a FIFO) cannot exhaust memory.
        let data = try readAll(handle.fileDescriptor, expected: size, limit: maximumFileBytes + 1, path: path)
        if data.count > maximumFileBytes { throw .io(.fileTooLarge(path, bytes: data.count, limit: maximumFileBytes)) }
        return data
    }

    /// Every byte of `descriptor` up to `limit`, into a buffer of the size the file said it has
    /// (one byte more, to see it grow) that doubles only if it did: FileHandle reads 4 KB at a
    /// time into a doubling buffer, 3,000 system calls for a 12 MB definition.
    static func readAll(_ descriptor: Int32, expected: Int, limit: Int, path: String) throws(LoadError) -> Data {
        var data = Data(count: min(max(expected + 1, 64 * 1024), limit))
        var count = 0
        while true {
            if count == data.count {
                guard data.count < limit else { break }
                data.count = min(data.count * 2, limit)
            }
            let read = data.withUnsafeMutableBytes { raw in
                Foundation.read(descriptor, raw.baseAddress! + count, raw.count - count)
            }
            if read > 0 {
                count += read
            } else if read == 0 {
                break
            } else if errno != EINTR {
                throw .io(.unreadable(path, reason: String(cString: strerror(errno))))
            }
        }
        data.count = count
        return data
    }

    /// Parses already-read bytes; `path` is only used for messages.
    public static func parse(data: Data, path: String, syntax forced: Document.Syntax? = nil) throws(LoadError) -> Document {
        var document: Document
        if data.count >= concurrentChecksBytes {
            // A large file's two byte scans run on another core while it is parsed; the parse
            // reads invalid UTF-8 without harm, and its result is kept only if the file is valid.
            let checks = ByteChecks(data)
            let parsed: Result<Document, LoadError>
            do throws(LoadError) { parsed = .success(try parseData(data, path: path, syntax: forced, checkingUTF8: false)) } catch {
                parsed = .failure(error)
            }
            let (invalid, secrets) = checks.wait()
            if let invalid { throw utf8Error(at: invalid, in: data, path: path) }
            document = try parsed.get()
            document.mayHoldSecrets = secrets
        } else {
            document = try parseData(data, path: path, syntax: forced)
            document.mayHoldSecrets = SecretScanner.mayHoldAny(data)
        }
        ExitRetention.keep(document.root)
        return document
    }

    /// Files from this size have their UTF-8 and secret scans beside the parse.
    static let concurrentChecksBytes = 1 << 20

    /// The UTF-8 check and the secrets pre-scan of one file, on a thread of their own.
    private final class ByteChecks: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var invalid: Int?
        private var secrets = false

        init(_ data: Data) {
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                invalid = DocumentLoader.firstInvalidUTF8(in: data)
                secrets = SecretScanner.mayHoldAny(data)
                done.signal()
            }
        }

        func wait() -> (invalid: Int?, secrets: Bool) {
            done.wait()
            return (invalid, secrets)
        }
    }

    static func utf8Error(at offset: Int, in data: Data, path: String) -> LoadError {
        .syntax(
            path: path,
            SyntaxError(
                String(format: "the file is not valid UTF-8 (byte 0x%02X); save it as UTF-8", data[data.startIndex + offset]),
                at: location(ofByte: offset, in: data)))
    }

    static func parseData(_ data: Data, path: String, syntax forced: Document.Syntax?, checkingUTF8: Bool = true) throws(LoadError)
        -> Document
    {
        if checkingUTF8, let offset = firstInvalidUTF8(in: data) { throw utf8Error(at: offset, in: data, path: path) }
        let syntax = forced ?? detectSyntax(path: path, data: data)
        switch syntax {
        case .json:
            let parsed: Result<(Node, [DuplicateKey]), SyntaxError> = data.withUnsafeBytes { raw in
                do throws(SyntaxError) {
                    return .success(try JSONParser.parse(raw.bindMemory(to: UInt8.self)))
                } catch {
                    return .failure(error)
                }
            }
            switch parsed {
            case .success(let (root, duplicates)):
                return Document(path: path, syntax: .json, root: root, byteCount: data.count, duplicateKeys: duplicates)
            case .failure(let error):
                throw .syntax(path: path, error)
            }
        case .yaml:
            let text = String(decoding: data, as: UTF8.self)
            do {
                var converter = YAMLConverter()
                guard let composed = try Yams.compose(yaml: text, .basic) else {
                    throw SyntaxError("the document is empty", at: .start)
                }
                let root = try converter.convert(composed)
                return Document(
                    path: path, syntax: .yaml, root: root, byteCount: data.count,
                    ambiguousScalars: converter.ambiguous, suppressionComments: suppressions(in: text))
            } catch let error as SyntaxError {
                throw .syntax(path: path, error)
            } catch let error as YamlError {
                throw .syntax(path: path, syntaxError(from: error, data: data))
            } catch {
                throw .syntax(path: path, SyntaxError("cannot parse YAML: \(error)", at: .start))
            }
        }
    }

    static func detectSyntax(path: String, data: Data) -> Document.Syntax {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        for byte in data {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
            default: return .yaml
            }
        }
        return .yaml
    }

    // MARK: Suppression comments

    /// Finds `# pipeops: disable=a,b` (also `pipeops:disable a b`) comments.
    static func suppressions(in text: String) -> [Int: Set<String>] {
        var result: [Int: Set<String>] = [:]
        guard text.contains("pipeops:") else { return result }
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let hash = line.firstIndex(of: "#") else { continue }
            let comment = line[line.index(after: hash)...].trimmingCharacters(in: .whitespaces)
            guard comment.hasPrefix("pipeops:") else { continue }
            var rest = comment.dropFirst("pipeops:".count).trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("disable") else { continue }
            rest = String(rest.dropFirst("disable".count)).trimmingCharacters(in: CharacterSet(charactersIn: "= \t"))
            let ids = rest.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if !ids.isEmpty { result[lineNumber, default: []].formUnion(ids) }
        }
        return result
    }

    // MARK: Encoding and positions

    static func firstInvalidUTF8(in data: Data) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                let minimum: UInt32
                if b & 0xE0 == 0xC0 {
                    length = 2
                    minimum = 0x80
                } else if b & 0xF0 == 0xE0 {
                    length = 3
                    minimum = 0x800
                } else if b & 0xF8 == 0xF0 {
                    length = 4
                    minimum = 0x10000
                } else {
                    return i
                }
                guard i + length <= n else { return i }
                var scalar = UInt32(b) & (0xFF >> (length + 1))
                for k in 1..<length {
                    let c = bytes[i + k]
                    guard c & 0xC0 == 0x80 else { return i }
                    scalar = scalar << 6 | UInt32(c & 0x3F)
                }
                if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
                i += length
            }
            return nil
        }
    }

    static func location(ofByte offset: Int, in data: Data) -> SourceLocation {
        var line = 1
        var column = 1
        var index = data.startIndex
        let end = data.startIndex + min(offset, data.count)
        while index < end {
            let byte = data[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return SourceLocation(line: line, column: column)
    }

    static func syntaxError(from error: YamlError, data: Data) -> SyntaxError {
        func describe(_ context: YamlError.Context?, _ problem: String) -> String {
            if let context, !context.text.isEmpty, context.text.count < 200 { return "\(problem) (\(context.text))" }
            return problem
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = describe(context, problem)
            if problem.contains("exceeded maximum nesting depth") || problem.contains("depth") {
                message = "nesting is too deep (\(problem)); a pipeline definition never needs that"
            }
            return SyntaxError("invalid YAML: \(message)", at: SourceLocation(line: max(mark.line, 1), column: max(mark.column, 1)))
        case .reader(let problem, let offset, _, _):
            return SyntaxError("invalid YAML: \(problem)", at: offset.map { location(ofByte: $0, in: data) } ?? .start)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return SyntaxError(
                "duplicate key \(keys) in one mapping; the later value would silently replace the earlier one",
                at: SourceLocation(line: max(context.mark.line, 1), column: max(context.mark.column, 1)))
        default:
            return SyntaxError("invalid YAML: \(error)", at: .start)
        }
    }
}
