import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsApp
@testable import PipeOpsModel

/// `pipeops lsp` driven as an editor drives it: a scripted client over stdio (the real binary,
/// Content-Length framed JSON-RPC), against a scaffolded product's files.
final class LSPClient: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let lock = NSCondition()
    var received: [PipeOpsModel.Node] = []
    var nextId = 1

    init(in directory: String, environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.arguments = ["lsp"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        Thread.detachNewThread { [self] in
            var reader = LSPFrameReader()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                for case .message(let message) in reader.append(data) {
                    lock.lock()
                    received.append(message)
                    lock.broadcast()
                    lock.unlock()
                }
            }
        }
    }

    func write(_ data: Data) { input.fileHandleForWriting.write(data) }

    func notify(_ method: String, _ params: PipeOpsModel.Node) {
        write(
            LSPFrameReader.frame(Node(object: [("jsonrpc", Node(.string("2.0"))), ("method", Node(.string(method))), ("params", params)])))
    }

    @discardableResult
    func request(_ method: String, _ params: PipeOpsModel.Node) throws -> PipeOpsModel.Node {
        let id = nextId
        nextId += 1
        write(
            LSPFrameReader.frame(
                Node(object: [
                    ("jsonrpc", Node(.string("2.0"))), ("id", Node(.integer(id))), ("method", Node(.string(method))), ("params", params),
                ])))
        return try wait { $0["id"]?.int == id }
    }

    /// The first message (from now on, or already received and not yet taken) that matches.
    func wait(seconds: Double = 60, _ matches: (PipeOpsModel.Node) -> Bool) throws -> PipeOpsModel.Node {
        let deadline = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = received.firstIndex(where: matches) { return received.remove(at: index) }
            guard lock.wait(until: deadline) else { throw CLIError("no matching message from pipeops lsp in \(seconds) s") }
        }
    }

    func diagnostics(for uri: String, _ accept: ([PipeOpsModel.Node]) -> Bool) throws -> [PipeOpsModel.Node] {
        let message = try wait {
            $0["method"]?.string == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.string == uri
                && accept($0["params"]?["diagnostics"]?.elements ?? [])
        }
        return message["params"]?["diagnostics"]?.elements ?? []
    }
}

@Suite struct LanguageServerTests {
    static func position(_ line: Int, _ character: Int) -> PipeOpsModel.Node {
        Node(object: [("line", Node(.integer(line))), ("character", Node(.integer(character)))])
    }

    static func document(_ uri: String) -> PipeOpsModel.Node { Node(object: [("uri", Node(.string(uri)))]) }

    @Test func anEditorSeesLintFindingsHoversNavigatesCompletesAndFixes() throws {
        let product = try SageMakerCommandTests.product()
        let path = product.path + "/pipeline/definition.yaml"
        let uri = LanguageServer.uri(of: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let client = try LSPClient(in: product.path)
        let initialized = try client.request(
            "initialize", Node(object: [("processId", Node(.null)), ("rootUri", Node(.string(LanguageServer.uri(of: product.path))))]))
        #expect(initialized["result"]?["capabilities"]?["textDocumentSync"]?["change"]?.int == 2, "incremental sync")
        client.notify("initialized", Node(object: []))
        client.notify(
            "textDocument/didOpen",
            Node(object: [
                (
                    "textDocument",
                    Node(object: [
                        ("uri", Node(.string(uri))), ("languageId", Node(.string("yaml"))), ("version", Node(.integer(1))),
                        ("text", Node(.string(text))),
                    ])
                )
            ]))
        let opened = try client.diagnostics(for: uri) { _ in true }
        #expect(opened.allSatisfy { $0["severity"]?.int != 1 }, "the scaffold has no error: \(opened.map { $0["message"]?.string ?? "" })")

        // A dangling reference typed in: one incremental change.
        let line = try #require(lines.firstIndex { $0.contains("Steps.Train.ModelArtifacts.S3ModelArtifacts") })
        let column = lines[line].utf16.count - lines[line][lines[line].range(of: "Steps.Train.")!.lowerBound...].utf16.count
        let trainAt = column + "Steps.".utf16.count
        let change = { (old: String, new: String, version: Int) in
            client.notify(
                "textDocument/didChange",
                Node(object: [
                    ("textDocument", Node(object: [("uri", Node(.string(uri))), ("version", Node(.integer(version)))])),
                    (
                        "contentChanges",
                        Node(
                            .array([
                                Node(object: [
                                    (
                                        "range",
                                        Node(object: [
                                            ("start", Self.position(line, trainAt)),
                                            ("end", Self.position(line, trainAt + old.utf16.count)),
                                        ])
                                    ), ("text", Node(.string(new))),
                                ])
                            ]))
                    ),
                ]))
        }
        change("Train", "Trian", 2)
        let broken = try client.diagnostics(for: uri) { $0.contains { $0["code"]?.string == "unknown-step" } }
        let dangling = try #require(broken.first { $0["code"]?.string == "unknown-step" })
        #expect(dangling["range"]?["start"]?["line"]?.int == line, "\(dangling)")
        #expect(dangling["range"]?["start"]?["character"]?.int ?? -1 <= column, "the reference's token: \(dangling)")
        #expect(dangling["severity"]?.int == 1 && dangling["source"]?.string == "pipeops")
        #expect(dangling["codeDescription"]?["href"]?.string?.hasSuffix("rules.md#unknown-step") == true)
        #expect(dangling["message"]?.string?.contains("unknown step 'Trian'") == true, "\(dangling)")

        // Its quick fix replaces exactly the misspelt name.
        let actions = try client.request(
            "textDocument/codeAction",
            Node(object: [
                ("textDocument", Self.document(uri)), ("range", dangling["range"]!),
                ("context", Node(object: [("diagnostics", Node(.array([dangling])))])),
            ]))
        let fix = try #require(actions["result"]?.elements?.first, "\(actions)")
        #expect(fix["title"]?.string == "Change 'Trian' to 'Train'")
        let edit = try #require(fix["edit"]?["changes"]?[uri]?.elements?.first)
        #expect(edit["newText"]?.string == "Train" && edit["range"]?["start"]?["character"]?.int == trainAt, "\(edit)")

        // Fixed in a change: the diagnostic goes away.
        change("Trian", "Train", 3)
        _ = try client.diagnostics(for: uri) { !$0.contains { $0["code"]?.string == "unknown-step" } }

        // Hover, go to definition, references and completion on the reference.
        let at = Node(object: [("textDocument", Self.document(uri)), ("position", Self.position(line, trainAt + 2))])
        let hover = try client.request("textDocument/hover", at)
        #expect(hover["result"]?["contents"]?["value"]?.string?.contains("**Train** — Training step") == true, "\(hover)")
        let definition = try client.request("textDocument/definition", at)
        let declared = try #require(lines.firstIndex { $0.hasSuffix("- Name: Train") })
        #expect(definition["result"]?["range"]?["start"]?["line"]?.int == declared, "\(definition)")
        // A JsonGet's PropertyFile name leads to the step's PropertyFiles entry.
        let fileUse = try #require(lines.firstIndex { $0.contains("Steps.Evaluate.PropertyFiles.EvaluationReport") })
        let fileColumn =
            lines[fileUse].utf16.count - lines[fileUse][lines[fileUse].range(of: "EvaluationReport")!.lowerBound...].utf16.count
        let fileDefinition = try client.request(
            "textDocument/definition",
            Node(object: [("textDocument", Self.document(uri)), ("position", Self.position(fileUse, fileColumn + 3))]))
        let declaredFile = try #require(lines.firstIndex { $0.contains("PropertyFileName: EvaluationReport") })
        #expect(fileDefinition["result"]?["range"]?["start"]?["line"]?.int == declaredFile, "\(fileDefinition)")
        let references = try client.request(
            "textDocument/references",
            Node(object: [
                ("textDocument", Self.document(uri)), ("position", Self.position(line, trainAt + 2)),
                ("context", Node(object: [("includeDeclaration", Node(.bool(true)))])),
            ]))
        #expect((references["result"]?.elements?.count ?? 0) >= 3, "the name, this reference and the others: \(references)")
        let steps = try client.request(
            "textDocument/completion", Node(object: [("textDocument", Self.document(uri)), ("position", Self.position(line, trainAt))]))
        let names = (steps["result"]?["items"]?.elements ?? []).compactMap { $0["label"]?.string }
        #expect(names.contains("Preprocess") && names.contains("Train"), "\(names)")
        let properties = try client.request(
            "textDocument/completion",
            Node(object: [("textDocument", Self.document(uri)), ("position", Self.position(line, trainAt + "Train.".utf16.count))]))
        let members = (properties["result"]?["items"]?.elements ?? []).compactMap { $0["label"]?.string }
        #expect(members.contains("ModelArtifacts") && members.contains("TrainingJobStatus"), "from the API model: \(members.prefix(10))")

        // A frame that is no JSON, a method the server lacks, and a document that does not
        // parse: answered, and the server goes on.
        client.write(Data("Content-Length: 9\r\n\r\n{not json".utf8))
        let parseError = try client.wait { $0["error"]?["code"]?.int == -32700 }
        #expect(parseError["id"]?.isNull == true)
        let unknown = try client.request("workspace/symbol", Node(object: [("query", Node(.string("x")))]))
        #expect(unknown["error"]?["code"]?.int == -32601)
        client.notify(
            "textDocument/didChange",
            Node(object: [
                ("textDocument", Node(object: [("uri", Node(.string(uri))), ("version", Node(.integer(4)))])),
                ("contentChanges", Node(.array([Node(object: [("text", Node(.string("Version: \"2020-12-01\"\nSteps: [ {Name: A\n")))])]))),
            ]))
        let syntax = try client.diagnostics(for: uri) { $0.contains { $0["code"]?.string == "syntax" } }
        #expect(!syntax.isEmpty)
        #expect(try client.request("textDocument/hover", at)["result"] != nil, "still serving")

        let shutdown = try client.request("shutdown", Node(.null))
        #expect(shutdown["result"]?.isNull == true)
        client.notify("exit", Node(.null))
        client.process.waitUntilExit()
        #expect(client.process.terminationStatus == 0)
    }

    /// A Python definition is compiled on save and its findings land on definition.py's lines,
    /// as `pipeops lint` maps them.
    @Test func savingAPythonDefinitionCompilesItAndMapsFindingsToItsLines() throws {
        let product = try PythonDefinitionTests.product()
        let path = product.path + "/pipeline/definition.py"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "CacheConfig(enable_caching=True, expire_after=\"P30D\")", with: "CacheConfig(enable_caching=True)")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let uri = LanguageServer.uri(of: path)
        let client = try LSPClient(in: product.path, environment: ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython])
        _ = try client.request("initialize", Node(object: [("rootUri", Node(.string(LanguageServer.uri(of: product.path))))]))
        client.notify(
            "textDocument/didOpen",
            Node(object: [
                (
                    "textDocument",
                    Node(object: [
                        ("uri", Node(.string(uri))), ("languageId", Node(.string("python"))), ("version", Node(.integer(1))),
                        ("text", Node(.string(text))),
                    ])
                )
            ]))
        client.notify("textDocument/didSave", Node(object: [("textDocument", Self.document(uri))]))
        let diagnostics = try client.diagnostics(for: uri) { $0.contains { $0["code"]?.string == "cache-without-expiry" } }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let cacheLine = try #require(lines.firstIndex { $0.contains("CacheConfig(enable_caching=True)") })
        let lint = try CLI.run(
            ["lint", "--format", "json"], in: product.path, environment: ["PIPEOPS_PYTHON": PythonDefinitionTests.sdkPython])
        let expected = try #require(
            ((try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])?.first {
                $0["rule"] as? String == "cache-without-expiry"
            }, "\(lint.stdout)")
        let lines0 = diagnostics.filter { $0["code"]?.string == "cache-without-expiry" }.compactMap { $0["range"]?["start"]?["line"]?.int }
        // lint names the source line in its message; the editor puts the diagnostic there.
        let named = (expected["message"] as? String ?? "").components(separatedBy: "is named at pipeline/definition.py:").last?
            .prefix { $0.isNumber }
        let line = try #require(named.flatMap { Int($0) }, "\(expected)")
        #expect(lines0.contains(line - 1), "lint's definition.py:\(line) against \(lines0) (the CacheConfig is at \(cacheLine + 1))")
        _ = try client.request("shutdown", Node(.null))
        client.notify("exit", Node(.null))
        client.process.waitUntilExit()
    }
}
