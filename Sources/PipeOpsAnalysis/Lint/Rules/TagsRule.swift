import PipeOpsModel

struct TagsRule: Rule {
    static let description = RuleDescription(
        id: "tags",
        title: "Tags fit SageMaker's limits",
        category: .environments,
        severity: .error,
        rationale: """
            A pipeline has at most 50 tags, and pipeops adds its own seven stamp tags (pipeops:*), so an \
            environment may set at most 43. Keys are 1–128 characters, values up to 256, both of \
            letters, digits, spaces and _ . : / = + - @; keys starting with aws: are reserved.
            """,
        triggering: [
            """
            parameters: { InputData: "s3://b/in" }
            tags:
              ↓"cost center!": ml
            """
        ],
        nonTriggering: [
            """
            parameters: { InputData: "s3://b/in" }
            tags: { team: ml-platform, "cost-center": "1234", owner: "ml@example.com" }
            """
        ],
        exampleKind: .environment)

    static let reservedByPipeops = 7
    static let limit = 50

    static func isTagText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let props = scalar.properties
            return props.isAlphabetic || props.numericType != nil || props.generalCategory == .spaceSeparator
                || "_.:/=+-@".unicodeScalars.contains(scalar)
        }
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard case .environment = context.role else { return }
        let file = EnvironmentFile(document: context.document)
        let members = context.document.root["tags"]?.members ?? []
        if file.tags.count > Self.limit - Self.reservedByPipeops, let tags = context.document.root["tags"] {
            findings.report(
                "\(file.tags.count) tags; SageMaker allows \(Self.limit) per pipeline and pipeops adds \(Self.reservedByPipeops) stamp tags, so keep at most \(Self.limit - Self.reservedByPipeops)",
                at: tags)
        }
        for (key, value, node) in file.tags {
            let keyLocation = members.first { $0.key == key }?.keyLocation ?? node.location
            if key.isEmpty || key.count > 128 {
                findings.report("tag key '\(key.prefix(40))' must be 1–128 characters", at: keyLocation)
            } else if !Self.isTagText(key) {
                findings.report(
                    "tag key '\(key)' has characters SageMaker does not allow (letters, digits, spaces and _ . : / = + - @ only)",
                    at: keyLocation)
            } else if key.lowercased().hasPrefix("aws:") {
                findings.report("tag key '\(key)' uses the reserved aws: prefix", at: keyLocation)
            } else if key.hasPrefix("pipeops:") {
                findings.report("tag key '\(key)' uses the pipeops: prefix, which pipeops sets itself on every upsert", at: keyLocation)
            }
            if value.count > 256 {
                findings.report("value of tag '\(key)' is \(value.count) characters; the limit is 256", at: node)
            } else if !Self.isTagText(value) {
                findings.report("value of tag '\(key)' has characters SageMaker does not allow", at: node)
            }
        }
    }
}
