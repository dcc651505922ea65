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
    public static func load(path: String) throws(LoadError) -> Document {
        switch try read(path: path) {
        case .small(let data): return try parse(data: data, path: path)
        case .large(let buffer): return try parse(buffer.bytes, path: path, syntax: nil, releasing: buffer)
        }
    }

    enum FileBytes {
        case small(Data)
        /// A file of `concurrentChecksBytes` or more, in pages its parse hands back as it goes.
        case large(FileBuffer)
    }

    /// Opens the file once and asks the descriptor what it is: no separate existence check and no
    /// `FileManager.attributesOfItem` (which also looks up the owner's and group's names in
    /// /etc/passwd and /etc/group), and nothing can change between the check and the read.
    static func read(path: String) throws(LoadError) -> FileBytes {
        let descriptor = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            let error = errno
            if error == ENOENT || error == ENOTDIR || error == ELOOP { throw .io(.fileNotFound(path)) }
            throw .io(.unreadable(path, reason: error == EACCES ? "permission denied" : String(cString: strerror(error))))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(.unreadable(path, reason: String(cString: strerror(errno)))) }
        if status.st_mode & S_IFMT == S_IFDIR { throw .io(.isDirectory(path)) }
        // A FIFO or a device says 0: it is read until its end like any file, up to the limit.
        let size = status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : 0
        if size > maximumFileBytes { throw .io(.fileTooLarge(path, bytes: size, limit: maximumFileBytes)) }
        // Read at most one byte past the limit so a file that grows (or a FIFO) cannot exhaust memory.
        if size >= concurrentChecksBytes, let buffer = FileBuffer(capacity: size + 1) {
            if let error = buffer.fill(from: descriptor, limit: maximumFileBytes + 1) {
                throw .io(.unreadable(path, reason: String(cString: strerror(error))))
            }
            if buffer.count > maximumFileBytes { throw .io(.fileTooLarge(path, bytes: buffer.count, limit: maximumFileBytes)) }
            return .large(buffer)
        }
        let data = try readAll(descriptor, expected: size, limit: maximumFileBytes + 1, path: path)
        if data.count > maximumFileBytes { throw .io(.fileTooLarge(path, bytes: data.count, limit: maximumFileBytes)) }
        return .small(data)
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

    /// The tree of JSON text pipeops wrote itself (a ledger note), nil if it does not parse: none
    /// of the checks a product's file gets (secrets, the bytes' encoding: a String's UTF-8 is
    /// valid), which cost more than the parse on a note of a few hundred records.
    package static func parseOwnJSON(_ text: String) -> Node? {
        var text = text
        return text.withUTF8 { bytes in try? JSONParser.parse(bytes).0 }
    }

    /// Parses already-read bytes; `path` is only used for messages.
    public static func parse(data: Data, path: String, syntax forced: Document.Syntax? = nil) throws(LoadError) -> Document {
        let parsed: Result<Document, LoadError> = data.withUnsafeBytes { raw in
            do throws(LoadError) {
                return .success(try parse(raw.bindMemory(to: UInt8.self), path: path, syntax: forced, releasing: nil))
            } catch {
                return .failure(error)
            }
        }
        return try parsed.get()
    }

    /// Parses `bytes`; with `buffer` (which holds them), the pages both the parse and the byte
    /// checks have passed are handed back while the rest is parsed.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, path: String, syntax forced: Document.Syntax?, releasing buffer: FileBuffer?)
        throws(LoadError) -> Document
    {
        var document: Document
        if bytes.count >= concurrentChecksBytes {
            // A large file's two byte scans run on another core while it is parsed; the parse
            // reads invalid UTF-8 without harm, and its result is kept only if the file is valid.
            let checks = ByteChecks(bytes)
            let released = ReleasedPrefix()
            let release = buffer.map { buffer in
                { (offset: Int, location: SourceLocation) in released.parsed(to: offset, at: location, checked: checks.checked, buffer) }
            }
            let parsed: Result<Document, LoadError>
            do throws(LoadError) { parsed = .success(try parseBytes(bytes, path: path, syntax: forced, release: release)) } catch {
                parsed = .failure(error)
            }
            let (invalid, secrets) = checks.wait()
            if let invalid { throw utf8Error(byte: invalid.byte, at: released.location(of: invalid.offset, in: bytes), path: path) }
            document = try parsed.get()
            document.mayHoldSecrets = secrets
        } else {
            if let offset = firstInvalidUTF8(in: bytes, from: 0, to: bytes.count).invalid {
                throw utf8Error(byte: bytes[offset], at: location(ofByte: offset, in: bytes), path: path)
            }
            document = try parseBytes(bytes, path: path, syntax: forced, release: nil)
            document.mayHoldSecrets = SecretScanner.mayHoldAny(bytes, from: 0, to: bytes.count)
        }
        ExitRetention.keep(document.root)
        return document
    }

    /// Files from this size have their UTF-8 and secret scans beside the parse, and hand back
    /// their bytes as the parse passes them.
    static let concurrentChecksBytes = 1 << 20

    private static func parseBytes(
        _ bytes: UnsafeBufferPointer<UInt8>, path: String, syntax forced: Document.Syntax?, release: ((Int, SourceLocation) -> Void)?
    ) throws(LoadError) -> Document {
        let syntax = forced ?? detectSyntax(path: path, data: bytes)
        switch syntax {
        case .json:
            do throws(SyntaxError) {
                let (root, duplicates) = try JSONParser.parse(bytes, release: release)
                return Document(path: path, syntax: .json, root: root, byteCount: bytes.count, duplicateKeys: duplicates)
            } catch {
                throw .syntax(path: path, error)
            }
        case .yaml:
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                var converter = YAMLConverter()
                guard let composed = try Yams.compose(yaml: text, .basic) else {
                    throw SyntaxError("the document is empty", at: .start)
                }
                let root = try converter.convert(composed)
                return Document(
                    path: path, syntax: .yaml, root: root, byteCount: bytes.count,
                    ambiguousScalars: converter.ambiguous, suppressionComments: suppressions(in: text))
            } catch let error as SyntaxError {
                throw .syntax(path: path, error)
            } catch let error as YamlError {
                throw .syntax(path: path, syntaxError(from: error, bytes: bytes))
            } catch {
                throw .syntax(path: path, SyntaxError("cannot parse YAML: \(error)", at: .start))
            }
        }
    }

    static func detectSyntax<Bytes: Sequence<UInt8>>(path: String, data: Bytes) -> Document.Syntax {
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

    static func syntaxError(from error: YamlError, bytes: UnsafeBufferPointer<UInt8>) -> SyntaxError {
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
            return SyntaxError("invalid YAML: \(problem)", at: offset.map { location(ofByte: $0, in: bytes) } ?? .start)
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
