import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// `pipeops lsp`: a Language Server Protocol 3.17 server for a product's files. Messages come in
/// through `receive` (the executable reads them from stdin) and go out through `send`; linting
/// runs on a queue of its own, debounced, so the message loop never waits for it. Diagnostics
/// are the findings `pipeops lint` reports, at the same positions, with the rule as the code.
public final class LanguageServer: @unchecked Sendable {
    struct OpenDocument {
        var text: String
        var version: Int
    }

    let send: @Sendable (PipeOpsModel.Node) -> Void
    let lock = NSLock()
    var documents: [String: OpenDocument] = [:]
    /// URIs that carry diagnostics now (so a fixed file is cleared).
    var published: Set<String> = []
    var pending: [String: DispatchWorkItem] = [:]
    var root: String?
    let work = DispatchQueue(label: "pipeops-lsp-lint")
    /// Seconds of quiet after a change before the document is linted again.
    public var debounce: TimeInterval = 0.15
    var shutdownRequested = false
    /// Set by `exit`: 0 after `shutdown`, else 1 (the protocol's rule).
    public private(set) var exitCode: Int32?

    public init(send: @escaping @Sendable (PipeOpsModel.Node) -> Void) {
        self.send = send
    }

    public static let rulesURL = "https://github.com/pipeops/pipeops/blob/main/docs/rules.md"

    public func receive(_ frame: LSPFrameReader.Frame) {
        switch frame {
        case .malformed(let reason):
            send(Self.error(id: Node(.null), code: -32700, message: reason))
        case .message(let message):
            let method = message["method"]?.string
            let id = message["id"]
            let params = message["params"] ?? Node(.object([]))
            guard let method else {
                if let id { send(Self.error(id: id, code: -32600, message: "a request needs a method")) }
                return
            }
            if shutdownRequested && method != "exit" {
                if let id { send(Self.error(id: id, code: -32600, message: "the server is shutting down")) }
                return
            }
            handle(method, id: id, params: params)
        }
    }

    func handle(_ method: String, id: PipeOpsModel.Node?, params: PipeOpsModel.Node) {
        switch method {
        case "initialize":
            root =
                params["rootUri"]?.string.flatMap(Self.path(of:)) ?? params["rootPath"]?.string
                ?? params["workspaceFolders"]?.elements?.first?["uri"]?.string.flatMap(Self.path(of:))
            reply(id, Self.capabilities)
        case "initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration": break
        case "shutdown":
            shutdownRequested = true
            reply(id, Node(.null))
        case "exit":
            exitCode = shutdownRequested ? 0 : 1
        case "textDocument/didOpen":
            guard let uri = params["textDocument"]?["uri"]?.string else { return }
            update(uri) { _ in
                OpenDocument(text: params["textDocument"]?["text"]?.string ?? "", version: params["textDocument"]?["version"]?.int ?? 0)
            }
            schedule(uri, product: !isDefinition(uri))
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.string else { return }
            update(uri) { current in
                var document = current ?? OpenDocument(text: "", version: 0)
                for change in params["contentChanges"]?.elements ?? [] {
                    document.text = Self.apply(change, to: document.text)
                }
                document.version = params["textDocument"]?["version"]?.int ?? document.version + 1
                return document
            }
            if isDefinition(uri) { schedule(uri, product: false) }
        case "textDocument/didSave":
            guard let uri = params["textDocument"]?["uri"]?.string else { return }
            schedule(uri, product: true)
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.string else { return }
            lock.lock()
            documents[uri] = nil
            pending[uri]?.cancel()
            pending[uri] = nil
            let had = published.remove(uri) != nil
            lock.unlock()
            if had { publish(uri, [], version: nil) }
        case "textDocument/hover": reply(id, hover(params))
        case "textDocument/definition": reply(id, definition(params))
        case "textDocument/references": reply(id, references(params))
        case "textDocument/completion": reply(id, completion(params))
        case "textDocument/codeAction": reply(id, codeActions(params))
        default:
            if let id { send(Self.error(id: id, code: -32601, message: "pipeops lsp does not handle \(method)")) }
        }
    }

    static let capabilities: PipeOpsModel.Node = Node(object: [
        (
            "capabilities",
            Node(object: [
                (
                    "textDocumentSync",
                    Node(object: [
                        ("openClose", Node(.bool(true))), ("change", Node(.integer(2))),
                        ("save", Node(object: [("includeText", Node(.bool(false)))])),
                    ])
                ),
                ("hoverProvider", Node(.bool(true))), ("definitionProvider", Node(.bool(true))),
                ("referencesProvider", Node(.bool(true))),
                ("completionProvider", Node(object: [("triggerCharacters", Node(.array([Node(.string(".")), Node(.string("'"))])))])),
                ("codeActionProvider", Node(.bool(true))),
            ])
        ),
        ("serverInfo", Node(object: [("name", Node(.string("pipeops"))), ("version", Node(.string(PipeOpsVersion.current)))])),
    ])

    func reply(_ id: PipeOpsModel.Node?, _ result: PipeOpsModel.Node) {
        guard let id else { return }
        send(Node(object: [("jsonrpc", Node(.string("2.0"))), ("id", id), ("result", result)]))
    }

    static func error(id: PipeOpsModel.Node, code: Int, message: String) -> PipeOpsModel.Node {
        Node(object: [
            ("jsonrpc", Node(.string("2.0"))), ("id", id),
            ("error", Node(object: [("code", Node(.integer(code))), ("message", Node(.string(message)))])),
        ])
    }

    func update(_ uri: String, _ change: (OpenDocument?) -> OpenDocument) {
        lock.lock()
        documents[uri] = change(documents[uri])
        lock.unlock()
    }

    func document(_ uri: String) -> OpenDocument? {
        lock.lock()
        defer { lock.unlock() }
        return documents[uri]
    }

    /// A file URI's path (percent-decoded); nil for other schemes.
    static func path(of uri: String) -> String? {
        guard uri.hasPrefix("file://") else { return nil }
        let rest = String(uri.dropFirst("file://".count))
        return rest.removingPercentEncoding ?? rest
    }

    static func uri(of path: String) -> String {
        "file://" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
    }

    /// Applies one `contentChanges` entry: a range replaced, or (no range) the whole text.
    static func apply(_ change: PipeOpsModel.Node, to text: String) -> String {
        guard let range = change["range"] else { return change["text"]?.string ?? text }
        let new = change["text"]?.string ?? ""
        let utf16 = Array(text.utf16)
        let start = offset(range["start"], in: utf16)
        let end = max(start, offset(range["end"], in: utf16))
        let replaced = Array(utf16[0..<start]) + Array(new.utf16) + Array(utf16[end...])
        return String(decoding: replaced, as: UTF16.self)
    }

    /// The UTF-16 offset of an LSP position (clamped to the text).
    static func offset(_ position: PipeOpsModel.Node?, in utf16: [UInt16]) -> Int {
        let line = max(0, position?["line"]?.int ?? 0)
        let character = max(0, position?["character"]?.int ?? 0)
        var index = 0
        var current = 0
        while current < line, index < utf16.count {
            if utf16[index] == 10 { current += 1 }
            index += 1
        }
        var column = 0
        while column < character, index < utf16.count, utf16[index] != 10 {
            index += 1
            column += 1
        }
        return index
    }
}
