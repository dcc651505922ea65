import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsRelease
import PipeOpsWorkspace

/// Diagnostics: a definition is linted as it is typed (from the editor's text); on save, the
/// whole product is linted from disk as `pipeops lint` does (pipeops.yaml, environment files, a
/// Python definition compiled), and every file's diagnostics are replaced.
extension LanguageServer {
    /// A pipeline definition (YAML or JSON with Version and Steps), linted from the editor's text.
    func isDefinition(_ uri: String) -> Bool {
        guard let path = Self.path(of: uri), [".yaml", ".yml", ".json"].contains(where: { path.hasSuffix($0) }),
            (path as NSString).lastPathComponent != Manifest.fileName
        else { return false }
        let text = document(uri)?.text ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.contains("Steps") && text.contains("Version")
    }

    func schedule(_ uri: String, product: Bool) {
        let item = DispatchWorkItem { [weak self] in self?.lint(uri, product: product) }
        lock.lock()
        pending[uri]?.cancel()
        pending[uri] = item
        lock.unlock()
        work.asyncAfter(deadline: .now() + (product ? 0 : debounce), execute: item)
    }

    func lint(_ uri: String, product: Bool) {
        guard let path = Self.path(of: uri) else { return }
        if product { lintProduct(containing: path) }
        if isDefinition(uri), let open = document(uri) { lintBuffer(uri, path: path, open) }
    }

    /// The manifest above `path` (nil outside a product).
    func manifest(near path: String) -> Manifest? {
        guard let found = Manifest.find(from: (path as NSString).deletingLastPathComponent) else { return nil }
        return try? Manifest.load(path: found)
    }

    func lintBuffer(_ uri: String, path: String, _ open: OpenDocument) {
        let manifest = manifest(near: path)
        let base = manifest?.directory ?? (path as NSString).deletingLastPathComponent
        let display = DisplayPath(base: base)(path)
        var findings: [Finding]
        do {
            let document = try DocumentLoader.parse(data: Data(open.text.utf8), path: display)
            var options = LintOptions()
            if let manifest, let settings = try? manifest.lintSettings(display: DisplayPath(base: base)) {
                options = settings.options
                if manifest.definition.map(manifest.resolve) == path { options.propertySamples = settings.samples }
            }
            findings = Linter(options: options).lint(definition: document)
        } catch {
            switch error {
            case .syntax(_, let syntax): findings = [Finding.syntax(file: display, syntax)]
            case .io(let problem):
                findings = [
                    Finding(
                        rule: "syntax", severity: .error, message: problem.errorDescription ?? "\(problem)", file: display,
                        location: SourceLocation(line: 1, column: 1))
                ]
            }
        }
        // A newer version arrived meanwhile: its own lint publishes.
        guard document(uri)?.version == open.version else { return }
        publish(uri, findings, version: open.version, text: open.text)
    }

    func lintProduct(containing path: String) {
        guard let found = Manifest.find(from: (path as NSString).deletingLastPathComponent) else { return }
        let directory = (found as NSString).deletingLastPathComponent
        var byFile: [String: [Finding]] = [:]
        do {
            let report = try LintSession.run(LintRequest(workingDirectory: directory))
            for file in report.files { byFile[absolute(file, in: directory), default: []] += [] }
            for finding in report.findings {
                let placed = Self.onPythonSource(finding)
                byFile[absolute(placed.file, in: directory), default: []].append(placed)
            }
        } catch {
            byFile[found] = [
                Finding(
                    rule: "manifest", severity: .error, message: error.errorDescription ?? "\(error)", file: Manifest.fileName,
                    location: SourceLocation(line: 1, column: 1))
            ]
        }
        lock.lock()
        let stale = published.filter { uri in Self.path(of: uri).map { $0.hasPrefix(directory + "/") } == true }
        lock.unlock()
        for uri in stale where byFile[Self.path(of: uri) ?? ""] == nil { byFile[Self.path(of: uri) ?? ""] = [] }
        for (file, findings) in byFile.sorted(by: { $0.key < $1.key }) where !file.isEmpty {
            let uri = Self.uri(of: file)
            // An open definition with unsaved edits keeps what its text says.
            if let open = document(uri), isDefinition(uri), (try? String(contentsOfFile: file, encoding: .utf8)) != open.text { continue }
            publish(uri, findings, version: document(uri)?.version, text: document(uri)?.text)
        }
    }

    /// A finding in a compiled Python definition, put on the `definition.py` line its message
    /// names ("step 'X' is named at pipeline/definition.py:65"), as an editor shows the source.
    static func onPythonSource(_ finding: Finding) -> Finding {
        guard finding.file.contains(Layout.stateFolder + "/compiled/"),
            let match = finding.message.range(of: #"is named at ([^\s()]+\.py):([0-9]+)\)"#, options: .regularExpression)
        else { return finding }
        let text = finding.message[match].dropFirst("is named at ".count).dropLast()
        guard let colon = text.lastIndex(of: ":"), let line = Int(text[text.index(after: colon)...]) else { return finding }
        var placed = finding
        placed.file = String(text[..<colon])
        placed.location = SourceLocation(line: line, column: 1)
        return placed
    }

    func absolute(_ file: String, in directory: String) -> String {
        file.hasPrefix("/") ? file : URL(fileURLWithPath: directory + "/" + file).standardizedFileURL.path
    }

    func publish(_ uri: String, _ findings: [Finding], version: Int?, text: String? = nil) {
        let source = text ?? Self.path(of: uri).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let diagnostics = findings.sorted(by: Finding.ordered).map { Self.diagnostic($0, lines: lines) }
        lock.lock()
        if diagnostics.isEmpty { published.remove(uri) } else { published.insert(uri) }
        lock.unlock()
        var params: [(String, PipeOpsModel.Node)] = [("uri", Node(.string(uri))), ("diagnostics", Node(.array(diagnostics)))]
        if let version { params.append(("version", Node(.integer(version)))) }
        send(
            Node(object: [
                ("jsonrpc", Node(.string("2.0"))), ("method", Node(.string("textDocument/publishDiagnostics"))),
                ("params", Node(object: params)),
            ]))
    }

    /// A finding as an LSP diagnostic: 0-based line, UTF-16 columns, the token at the finding's
    /// position as its range, the rule as its code with a link to its documentation.
    static func diagnostic(_ finding: Finding, lines: [String]) -> PipeOpsModel.Node {
        let line = max(0, finding.location.line - 1)
        let text = line < lines.count ? lines[line] : ""
        let (start, end) = tokenRange(in: text, scalarColumn: max(0, finding.location.column - 1))
        let severity: Int
        switch finding.severity {
        case .error: severity = 1
        case .warning: severity = 2
        case .info: severity = 3
        }
        return Node(object: [
            ("range", range(line: line, start: start, end: end)), ("severity", Node(.integer(severity))),
            ("code", Node(.string(finding.rule))),
            ("codeDescription", Node(object: [("href", Node(.string(rulesURL + "#" + finding.rule)))])),
            ("source", Node(.string("pipeops"))), ("message", Node(.string(finding.message))),
        ])
    }

    static func range(line: Int, start: Int, end: Int) -> PipeOpsModel.Node {
        Node(object: [
            ("start", Node(object: [("line", Node(.integer(line))), ("character", Node(.integer(start)))])),
            ("end", Node(object: [("line", Node(.integer(line))), ("character", Node(.integer(end)))])),
        ])
    }

    /// The UTF-16 columns of the token that starts at `scalarColumn`: a quoted string with its
    /// quotes, else a run up to the next delimiter; at least one character.
    static func tokenRange(in line: String, scalarColumn: Int) -> (Int, Int) {
        let scalars = Array(line.unicodeScalars)
        let startIndex = min(scalarColumn, scalars.count)
        func utf16(_ upTo: Int) -> Int { scalars[0..<min(upTo, scalars.count)].reduce(0) { $0 + ($1.value > 0xFFFF ? 2 : 1) } }
        guard startIndex < scalars.count else { return (utf16(startIndex), utf16(startIndex) + (scalars.isEmpty ? 0 : 0)) }
        var end = startIndex
        let first = scalars[startIndex]
        if first == "\"" || first == "'" {
            end = startIndex + 1
            while end < scalars.count, scalars[end] != first { end += scalars[end] == "\\" ? 2 : 1 }
            end = min(end + 1, scalars.count)
        } else {
            let delimiters: Set<Unicode.Scalar> = [" ", ",", "{", "}", "[", "]", "\t", "#"]
            while end < scalars.count, !delimiters.contains(scalars[end]),
                !(scalars[end] == ":" && end + 1 < scalars.count && scalars[end + 1] == " ")
            {
                end += 1
            }
            if end == startIndex { end = startIndex + 1 }
        }
        return (utf16(startIndex), utf16(end))
    }
}
