import Foundation
import PipeOpsModel

/// Code actions for the findings that carry their fix: a did-you-mean name, a cache without an
/// ExpireAfter.
extension LanguageServer {
    func codeActions(_ params: PipeOpsModel.Node) -> PipeOpsModel.Node {
        guard let uri = params["textDocument"]?["uri"]?.string, let path = Self.path(of: uri) else { return Node(.array([])) }
        let text = document(uri)?.text ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var actions: [PipeOpsModel.Node] = []
        for diagnostic in params["context"]?["diagnostics"]?.elements ?? [] {
            let message = diagnostic["message"]?.string ?? ""
            let line = diagnostic["range"]?["start"]?["line"]?.int ?? -1
            guard line >= 0, line < lines.count else { continue }
            let lineText = lines[line]
            // The shortest quoted name of the message that the line holds is the misspelt one; the
            // fix is the message's did-you-mean, else the closest of the names it lists as known.
            let names = Self.quotedNames(message).filter { lineText.contains($0) }.sorted { $0.count < $1.count }
            let known =
                Self.quoted(after: "(known: ", in: message.replacingOccurrences(of: ")", with: "'"))?
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let suggestion = Self.quoted(after: "did you mean '", in: message) ?? names.first.flatMap { Self.nearest($0, in: known) }
            if let suggestion {
                if let wrong = names.first(where: { $0 != suggestion }), let hit = lineText.range(of: wrong) {
                    let start = lineText[..<hit.lowerBound].utf16.count
                    actions.append(
                        Self.action(
                            "Change '\(wrong)' to '\(suggestion)'", uri: uri, diagnostic: diagnostic,
                            range: Self.range(line: line, start: start, end: start + wrong.utf16.count), newText: suggestion))
                }
            }
            if diagnostic["code"]?.string == "cache-without-expiry" {
                let pairs = [
                    ("Enabled: true", "Enabled: true, ExpireAfter: P30D"),
                    ("\"Enabled\": true", "\"Enabled\": true, \"ExpireAfter\": \"P30D\""),
                ]
                for (index, candidate) in lines.enumerated().dropFirst(max(0, line - 3)).prefix(8) {
                    guard let (old, new) = pairs.first(where: { candidate.contains($0.0) }), let hit = candidate.range(of: old) else {
                        continue
                    }
                    let start = candidate[..<hit.lowerBound].utf16.count
                    actions.append(
                        Self.action(
                            "Add ExpireAfter: P30D (cached results expire after 30 days)", uri: uri, diagnostic: diagnostic,
                            range: Self.range(line: index, start: start, end: start + old.utf16.count), newText: new))
                    break
                }
            }
        }
        return Node(.array(actions))
    }

    static func action(_ title: String, uri: String, diagnostic: PipeOpsModel.Node, range: PipeOpsModel.Node, newText: String)
        -> PipeOpsModel.Node
    {
        Node(object: [
            ("title", Node(.string(title))), ("kind", Node(.string("quickfix"))), ("diagnostics", Node(.array([diagnostic]))),
            ("isPreferred", Node(.bool(true))),
            (
                "edit",
                Node(object: [
                    (
                        "changes",
                        Node(object: [(uri, Node(.array([Node(object: [("range", range), ("newText", Node(.string(newText)))])])))])
                    )
                ])
            ),
        ])
    }

    static func quoted(after marker: String, in message: String) -> String? {
        guard let start = message.range(of: marker) else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    static func quotedNames(_ message: String) -> [String] {
        var names: [String] = []
        var current: String?
        for character in message {
            if character == "'" {
                if let name = current {
                    names.append(name)
                    current = nil
                } else {
                    current = ""
                }
            } else if current != nil {
                current!.append(character)
            }
        }
        return names
    }

    /// The known name within a few edits of `word` (looser than lint's hint: a quick fix is
    /// offered, not applied), if exactly one is nearest.
    static func nearest(_ word: String, in known: [String]) -> String? {
        if let close = Suggestion.closest(to: word, in: known) { return close }
        let scored = known.map { ($0, Suggestion.editDistance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), scored.filter({ $0.1 == best.1 }).count == 1 else { return nil }
        return best.0
    }
}
