import Foundation
import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsModel

/// Output formats of `pipeops lint`. Adding a case without its formatter does not compile.
public enum LintFormat: String, CaseIterable, Sendable {
    case text, json, sarif, github
    /// GitLab's Code Quality report (`artifacts: reports: codequality:`).
    case gitlab
    /// JUnit XML, as CodeBuild reports (and most CI test panes) read it.
    case junit
}

public struct ReportOptions: Sendable {
    /// ANSI colours (the CLI enables them only on a TTY without NO_COLOR).
    public var colored: Bool
    public var toolVersion: String

    public init(colored: Bool = false, toolVersion: String = PipeOpsVersion.current) {
        self.colored = colored
        self.toolVersion = toolVersion
    }
}

public enum LintReporter {
    /// Renders the report; the result is what goes to stdout.
    public static func render(_ report: LintReport, as format: LintFormat, options: ReportOptions = ReportOptions()) -> String {
        switch format {
        case .text: return text(report, options: options)
        case .json: return json(report)
        case .sarif: return sarif(report, options: options)
        case .github: return github(report)
        case .gitlab: return gitlab(report)
        case .junit: return junit(report)
        }
    }

    /// One-line summary, e.g. `2 errors, 1 warning, 0 infos in 3 files`.
    public static func summary(_ report: LintReport) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return
            "\(plural(report.count(.error), "error")), \(plural(report.count(.warning), "warning")), \(plural(report.count(.info), "info")) in \(plural(report.files.count, "file"))"
    }

    static func text(_ report: LintReport, options: ReportOptions) -> String {
        var out = ""
        for finding in report.findings { out += finding.compilerLine(colored: options.colored) + "\n" }
        return out
    }

    static func json(_ report: LintReport) -> String {
        let findings: [Node] = report.findings.map { finding in
            Node(
                .object([
                    member("rule", .string(finding.rule)),
                    member("severity", .string(finding.severity.rawValue)),
                    member("message", .string(finding.message)),
                    member("file", .string(finding.file)),
                    member("line", .integer(finding.location.line)),
                    member("column", .integer(finding.location.column)),
                    member("step", finding.step.map { .string($0) } ?? .null),
                ]))
        }
        let root = Node(
            .object([
                member("findings", .array(findings)),
                member(
                    "summary",
                    .object([
                        member("errors", .integer(report.count(.error))),
                        member("warnings", .integer(report.count(.warning))),
                        member("infos", .integer(report.count(.info))),
                        member("files", .integer(report.files.count)),
                    ])),
                // What the definitions were checked against (beside the summary, whose members stay numbers).
                member(
                    "apiModel",
                    .object([
                        member("botocore", .string(report.apiModel.botocoreVersion)),
                        member("source", .string(report.apiModel.source)),
                    ])),
            ]))
        return CanonicalJSON.string(root, sortKeys: false, pretty: true) + "\n"
    }

    static func sarifLevel(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    static func sarif(_ report: LintReport, options: ReportOptions) -> String {
        let rules = RuleRegistry.rules.map { $0.description }
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let ruleNodes: [Node] = rules.map { rule in
            Node(
                .object([
                    member("id", .string(rule.id)),
                    member("name", .string(RuleDocs.pascalCase(rule.id))),
                    member("shortDescription", .object([member("text", .string(rule.title))])),
                    member("fullDescription", .object([member("text", .string(rule.rationale))])),
                    member("defaultConfiguration", .object([member("level", .string(sarifLevel(rule.severity)))])),
                    member(
                        "help",
                        .object([member("text", .string(rule.rationale)), member("markdown", .string(RuleDocs.markdown(for: rule)))])),
                    member(
                        "properties",
                        .object([
                            member("category", .string(rule.category.rawValue)),
                            member("tags", .array([Node(.string(rule.category.rawValue))])),
                        ])),
                ]))
        }
        let results: [Node] = report.findings.map { finding in
            var result: [Node.Member] = [
                member("ruleId", .string(finding.rule)),
                member("level", .string(sarifLevel(finding.severity))),
                member("message", .object([member("text", .string(finding.message))])),
                member(
                    "locations",
                    .array([
                        Node(
                            .object([
                                member(
                                    "physicalLocation",
                                    .object([
                                        member("artifactLocation", .object([member("uri", .string(sarifURI(finding.file)))])),
                                        member(
                                            "region",
                                            .object([
                                                member("startLine", .integer(max(1, finding.location.line))),
                                                member("startColumn", .integer(max(1, finding.location.column))),
                                            ])),
                                    ]))
                            ]))
                    ])),
            ]
            if let index = ruleIndex[finding.rule] { result.insert(member("ruleIndex", .integer(index)), at: 1) }
            if let step = finding.step { result.append(member("properties", .object([member("step", .string(step))]))) }
            return Node(.object(result))
        }
        let root = Node(
            .object([
                member("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
                member("version", .string("2.1.0")),
                member(
                    "runs",
                    .array([
                        Node(
                            .object([
                                member(
                                    "tool",
                                    .object([
                                        member(
                                            "driver",
                                            .object([
                                                member("name", .string("pipeops")),
                                                member("semanticVersion", .string(options.toolVersion)),
                                                member("informationUri", .string("https://github.com/pipeops/pipeops")),
                                                member("rules", .array(ruleNodes)),
                                            ]))
                                    ])),
                                member(
                                    "artifacts",
                                    .array(
                                        report.files.map { file in
                                            Node(.object([member("location", .object([member("uri", .string(sarifURI(file)))]))]))
                                        })),
                                member("results", .array(results)),
                                member("columnKind", .string("unicodeCodePoints")),
                            ]))
                    ])),
            ]))
        return CanonicalJSON.string(root, sortKeys: false, pretty: true) + "\n"
    }

    /// A relative path stays a relative URI reference (code scanning resolves it against the
    /// checkout); an absolute path becomes a file:// URI. Both are percent-encoded.
    static func sarifURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        if path.hasPrefix("/") { return "file://" + encoded }
        return encoded.hasPrefix("./") ? String(encoded.dropFirst(2)) : encoded
    }

    static func github(_ report: LintReport) -> String {
        var out = ""
        for finding in report.findings {
            let command: String
            switch finding.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: command = "notice"
            }
            let properties = [
                "file=\(escapeProperty(finding.file))",
                "line=\(finding.location.line)",
                "col=\(finding.location.column)",
                "title=\(escapeProperty("pipeops \(finding.rule)"))",
            ].joined(separator: ",")
            out += "::\(command) \(properties)::\(escapeData(finding.message))\n"
        }
        return out
    }

    /// Workflow-command escaping of the message part.
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(
            of: "\n", with: "%0A")
    }

    /// Workflow-command escaping of a property value.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// The output of every command that has a plain form and a machine form (`--format text|json`).
public enum OutputFormat: String, CaseIterable, Sendable { case text, json }
