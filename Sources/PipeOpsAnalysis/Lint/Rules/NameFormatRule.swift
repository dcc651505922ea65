import PipeOpsModel

struct NameFormatRule: Rule {
    static let description = RuleDescription(
        id: "name-format",
        title: "Names and texts fit the service's patterns and limits",
        category: .structure,
        severity: .error,
        rationale: """
            Step names are 1–64 characters of letters, digits, '-' and '_'; parameter names use \
            the same characters (up to 256 in the API, 64 in the published schema, so over 64 is a \
            warning); DisplayName is at most 256 characters and Description at most 3072; Metadata \
            keys match [A-Za-z0-9-_]{1,128} with values up to 1024 characters.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: ↓Train model, Type: Fail, Arguments: { ErrorMessage: a } }
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: ↓input.data, Type: String, DefaultValue: x }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.input.data } } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Train-model_2, DisplayName: "Train the model (v2)", Type: Fail, Arguments: { ErrorMessage: a } }
            """
        ])

    static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_")
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for step in pipeline.steps {
            guard let nameNode = step.node["Name"], let name = nameNode.string else { continue }
            if name.isEmpty {
                findings.report("a step name cannot be empty", at: nameNode, step: step)
            } else if name.count > 64 {
                findings.report("step name '\(name.prefix(20))…' is \(name.count) characters; the limit is 64", at: nameNode, step: step)
            } else if let bad = name.first(where: { !Self.isNameCharacter($0) }) {
                findings.report(
                    "step name '\(name)' contains '\(bad)'; use only letters, digits, '-' and '_' (e.g. '\(Self.sanitize(name))')",
                    at: nameNode, step: step)
            }
            if let display = step.node["DisplayName"]?.string, display.count > 256 {
                findings.report(
                    "DisplayName of step '\(name)' is \(display.count) characters; the limit is 256", at: step.node["DisplayName"]!,
                    step: step)
            }
            if let text = step.node["Description"]?.string, text.count > 3072 {
                findings.report(
                    "Description of step '\(name)' is \(text.count) characters; the limit is 3072", at: step.node["Description"]!,
                    step: step)
            }
        }
        for parameter in pipeline.parameters {
            guard let nameNode = parameter.node["Name"] else { continue }
            let name = parameter.name
            if name.isEmpty {
                findings.report("a parameter name cannot be empty", at: nameNode)
            } else if let bad = name.first(where: { !Self.isNameCharacter($0) }) {
                findings.report(
                    "parameter name '\(name)' contains '\(bad)'; use only letters, digits, '-' and '_' (e.g. '\(Self.sanitize(name))')",
                    at: nameNode)
            } else if name.count > 256 {
                findings.report("parameter name '\(name.prefix(20))…' is \(name.count) characters; the API limit is 256", at: nameNode)
            } else if name.count > 64 {
                findings.report(
                    "parameter name '\(name.prefix(20))…' is \(name.count) characters; the published schema allows 64", at: nameNode,
                    severity: .warning)
            }
        }
        for entry in pipeline.root["Metadata"]?.members ?? [] {
            if entry.key.isEmpty || entry.key.count > 128 || !entry.key.allSatisfy(Self.isNameCharacter) {
                findings.report("Metadata key '\(entry.key)' must be 1–128 letters, digits, '-' or '_'", at: entry.keyLocation)
            }
            if let value = entry.value.string, value.count > 1024 {
                findings.report("Metadata value '\(entry.key)' is \(value.count) characters; the limit is 1024", at: entry.value.location)
            }
        }
    }

    static func sanitize(_ name: String) -> String {
        String(name.map { isNameCharacter($0) ? $0 : "-" })
    }
}
