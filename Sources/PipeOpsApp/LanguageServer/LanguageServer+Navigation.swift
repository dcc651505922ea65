import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Hover, go to definition, references, completion and code actions over a definition's text.
extension LanguageServer {
    struct Cursor {
        var uri: String
        var path: String
        var text: String
        var lines: [String]
        var line: Int
        /// The UTF-16 column, and the token around it (`Steps.Train.ModelArtifacts…`).
        var character: Int
        var token: String
        /// The token's part before the cursor (what completion extends).
        var prefix: String
        var pipeline: Pipeline?
    }

    static let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-[]'"))

    func cursor(_ params: PipeOpsModel.Node) -> Cursor? {
        guard let uri = params["textDocument"]?["uri"]?.string, let path = Self.path(of: uri) else { return nil }
        let text = document(uri)?.text ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = params["position"]?["line"]?.int ?? 0
        let character = params["position"]?["character"]?.int ?? 0
        guard line >= 0, line < lines.count else { return nil }
        let units = Array(lines[line].utf16)
        let at = min(max(0, character), units.count)
        func isToken(_ unit: UInt16) -> Bool { Unicode.Scalar(unit).map { Self.tokenCharacters.contains($0) } ?? false }
        var start = at
        while start > 0, isToken(units[start - 1]) { start -= 1 }
        var end = at
        while end < units.count, isToken(units[end]) { end += 1 }
        let token = String(decoding: units[start..<end], as: UTF16.self)
        let prefix = String(decoding: units[start..<at], as: UTF16.self)
        let pipeline = (try? DocumentLoader.parse(data: Data(text.utf8), path: path)).map { Pipeline(document: $0) }
        return Cursor(
            uri: uri, path: path, text: text, lines: lines, line: line, character: character, token: token, prefix: prefix,
            pipeline: pipeline)
    }

    /// `Steps.<name>.<path>` split into the step and the property path text.
    static func stepReference(_ token: String) -> (step: String, path: String)? {
        guard token.hasPrefix("Steps.") else { return nil }
        let rest = token.dropFirst("Steps.".count)
        let name = rest.prefix { $0 != "." && $0 != "[" }
        return name.isEmpty ? nil : (String(name), String(rest.dropFirst(name.count)))
    }

    func hover(_ params: PipeOpsModel.Node) -> PipeOpsModel.Node {
        guard let cursor = cursor(params), let pipeline = cursor.pipeline else { return Node(.null) }
        var text: String?
        if let reference = Self.stepReference(cursor.token), let step = pipeline.step(named: reference.step) {
            text = "**\(step.name)** — \(step.type?.rawValue ?? "unknown") step, defined at line \(step.node.location.line)"
            let path = reference.path.hasPrefix(".") ? String(reference.path.dropFirst()) : reference.path
            if !path.isEmpty, case .success(let parsed) = PropertyPath.parseProperty(path) {
                switch StepProperties.resolve(parsed, on: step, in: pipeline) {
                case .valid:
                    let type = StepProperties.scalarType(of: parsed, on: step, in: pipeline)
                    text! +=
                        "\n\n`\(path)`: \(type ?? "an object") (the \(step.type?.rawValue ?? "") step's Describe response, botocore \(ServiceShapes.shared.botocoreVersion))"
                    if let members = StepProperties.members(after: parsed, on: step), !members.isEmpty {
                        text! += "; members: " + members.prefix(12).joined(separator: ", ") + (members.count > 12 ? ", …" : "")
                    }
                case .invalid(let reason), .undeclared(let reason): text! += "\n\n⚠ \(reason)"
                case .unchecked: break
                }
            }
        } else if cursor.token.hasPrefix("Parameters.") {
            let name = String(cursor.token.dropFirst("Parameters.".count))
            if let parameter = pipeline.parameters.first(where: { $0.name == name }) {
                text = "**\(name)** — parameter of type \(parameter.typeString ?? "?")"
                if let value = parameter.node["DefaultValue"] { text! += ", default `\(CanonicalJSON.string(value))`" }
                if let root = root ?? manifest(near: cursor.path)?.directory, let context = try? Workspace(directory: root).context() {
                    for environment in context.environmentNames {
                        if let value = (try? context.environment(named: environment))?.values[name] {
                            text! += "\n- \(environment): `\(CanonicalJSON.string(value))`"
                        }
                    }
                }
            }
        } else if cursor.token.hasPrefix("Execution.") {
            text = "**\(cursor.token)** — an execution variable SageMaker sets when the execution starts"
        } else if let step = pipeline.step(named: cursor.token.trimmingCharacters(in: CharacterSet(charactersIn: "'"))) {
            text = "**\(step.name)** — \(step.type?.rawValue ?? "unknown") step, defined at line \(step.node.location.line)"
        }
        guard let text else { return Node(.null) }
        return Node(object: [("contents", Node(object: [("kind", Node(.string("markdown"))), ("value", Node(.string(text)))]))])
    }

    func location(_ uri: String, _ node: PipeOpsModel.Node, lines: [String]) -> PipeOpsModel.Node {
        let line = max(0, node.location.line - 1)
        let (start, end) = Self.tokenRange(in: line < lines.count ? lines[line] : "", scalarColumn: max(0, node.location.column - 1))
        return Node(object: [("uri", Node(.string(uri))), ("range", Self.range(line: line, start: start, end: end))])
    }

    /// The step or parameter a token names.
    func target(_ cursor: Cursor) -> PipeOpsModel.Node? {
        guard let pipeline = cursor.pipeline else { return nil }
        if let reference = Self.stepReference(cursor.token), let step = pipeline.step(named: reference.step) {
            // Steps.X.PropertyFiles.NAME: the step's PropertyFiles entry of that name.
            if reference.path.hasPrefix(".PropertyFiles.") {
                let name = String(reference.path.dropFirst(".PropertyFiles.".count))
                if let file = step.node["PropertyFiles"]?.elements?.first(where: { $0["PropertyFileName"]?.string == name }) {
                    return file["PropertyFileName"] ?? file
                }
            }
            return step.node["Name"] ?? step.node
        }
        if cursor.token.hasPrefix("Parameters."),
            let parameter = pipeline.parameters.first(where: { $0.name == String(cursor.token.dropFirst("Parameters.".count)) })
        {
            return parameter.node["Name"] ?? parameter.node
        }
        if let step = pipeline.step(named: cursor.token) { return step.node["Name"] ?? step.node }
        // A property file's name (JsonGet's PropertyFile): the step's PropertyFiles entry.
        for step in pipeline.steps {
            for file in step.node["PropertyFiles"]?.elements ?? [] where file["PropertyFileName"]?.string == cursor.token {
                return file["PropertyFileName"] ?? file
            }
        }
        return nil
    }

    func definition(_ params: PipeOpsModel.Node) -> PipeOpsModel.Node {
        guard let cursor = cursor(params), let node = target(cursor) else { return Node(.null) }
        return location(cursor.uri, node, lines: cursor.lines)
    }

    func references(_ params: PipeOpsModel.Node) -> PipeOpsModel.Node {
        guard let cursor = cursor(params), let pipeline = cursor.pipeline else { return Node(.array([])) }
        let name = Self.stepReference(cursor.token)?.step ?? cursor.token
        guard let step = pipeline.step(named: name) else { return Node(.array([])) }
        var found: [PipeOpsModel.Node] = []
        if params["context"]?["includeDeclaration"]?.bool != false, let declaration = step.node["Name"] {
            found.append(location(cursor.uri, declaration, lines: cursor.lines))
        }
        for (index, line) in cursor.lines.enumerated() {
            var search = line.startIndex..<line.endIndex
            while let hit = line.range(of: "Steps.\(name)", range: search) {
                let after = hit.upperBound < line.endIndex ? line[hit.upperBound] : " "
                if after == "." || after == "[" || after == "\"" || after == "'" || after == " " || after == "}" {
                    let start = line[..<hit.lowerBound].utf16.count
                    found.append(
                        Node(object: [
                            ("uri", Node(.string(cursor.uri))),
                            ("range", Self.range(line: index, start: start, end: start + "Steps.\(name)".utf16.count)),
                        ]))
                }
                search = hit.upperBound..<line.endIndex
            }
        }
        for other in pipeline.steps {
            for dependency in other.dependsOn where dependency.name == name {
                found.append(location(cursor.uri, dependency.node, lines: cursor.lines))
            }
        }
        return Node(.array(found))
    }

    func completion(_ params: PipeOpsModel.Node) -> PipeOpsModel.Node {
        guard let cursor = cursor(params) else { return Node(.array([])) }
        var items: [(label: String, kind: Int, detail: String)] = []
        let prefix = cursor.prefix
        if cursor.path.hasSuffix("/" + Manifest.fileName) || cursor.lines[cursor.line].contains("disable") {
            if cursor.lines[cursor.line].contains("disable") {
                items = RuleRegistry.rules.map { ($0.description.id, 12, $0.description.title) }
            }
        } else if let pipeline = cursor.pipeline {
            if prefix.hasPrefix("Steps.") {
                let rest = prefix.dropFirst("Steps.".count)
                if let dot = rest.firstIndex(where: { $0 == "." || $0 == "[" }) {
                    let name = String(rest[..<dot])
                    let walked = String(rest[rest.index(after: dot)...])
                    let parent = walked.contains(".") ? String(walked[..<walked.lastIndex(of: ".")!]) : ""
                    let path: PropertyPath? =
                        parent.isEmpty ? PropertyPath(segments: []) : (try? PropertyPath.parseProperty(parent).get())
                    if let step = pipeline.step(named: name), let path {
                        items = (StepProperties.members(after: path, on: step) ?? []).map {
                            ($0, 10, "\(step.type?.rawValue ?? "") property")
                        }
                    }
                } else {
                    items = pipeline.steps.map { ($0.name, 7, "\($0.type?.rawValue ?? "") step") }
                }
            } else if prefix.hasPrefix("Parameters.") {
                items = pipeline.parameters.map { ($0.name, 6, "parameter (\($0.typeString ?? "?"))") }
            } else if prefix.hasPrefix("Execution.") {
                items = Reference.executionVariables.map { ($0, 6, "execution variable") }
            } else if cursor.lines[cursor.line].contains("DependsOn") {
                items = pipeline.steps.map { ($0.name, 7, "\($0.type?.rawValue ?? "") step") }
            }
        }
        return Node(
            object: [
                ("isIncomplete", Node(.bool(false))),
                (
                    "items",
                    Node(
                        .array(
                            items.map {
                                Node(object: [
                                    ("label", Node(.string($0.label))), ("kind", Node(.integer($0.kind))),
                                    ("detail", Node(.string($0.detail))),
                                ])
                            }))
                ),
            ])
    }
}
