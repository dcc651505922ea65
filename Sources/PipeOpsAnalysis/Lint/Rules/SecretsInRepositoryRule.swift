import PipeOpsModel

package struct SecretsInRepositoryRule: Rule {
    package init() {}

    package static let description = RuleDescription(
        id: "secrets-in-repository",
        title: "No AWS credentials in the product's files",
        category: .environments,
        severity: .error,
        rationale: """
            An access key id, a secret access key or a session token in the definition, a Python \
            definition's sources, pipeops.yaml or an environment file is published with every \
            clone and every release (one public repository committed live session credentials in \
            its pipeline script). Rotate the key, remove it from the history, and give the \
            pipeline a role instead (roleArn; pipeops uses the caller's credential chain). \
            Findings show the value redacted. AWS's documentation examples (…EXAMPLE) are not \
            reported.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Call
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                Arguments: { key: ↓AKIAQ3VNP2ZR7TX4LWHD }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Call
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                Arguments: { key: AKIAIOSFODNN7EXAMPLE, role: "arn:aws:iam::111111111111:role/r" }
            """
        ])

    package func check(_ context: LintContext, into findings: inout FindingSink) {
        guard context.document.mayHoldSecrets else { return }
        visit(context.document.root, key: nil, findings: &findings)
    }

    /// What a finding says of a credential (shown redacted), here and for Python sources.
    package static func message(_ hit: SecretScanner.Hit) -> String {
        "\(hit.what) is written here; rotate it, remove it from the repository's history, and use a role instead"
    }

    /// Each string value is scanned with its key ("aws_secret_access_key: …" names what it is).
    private func visit(_ node: Node, key: String?, findings: inout FindingSink) {
        switch node.value {
        case .object(let members):
            for member in members { visit(member.value, key: member.key, findings: &findings) }
        case .array(let elements):
            for element in elements { visit(element, key: key, findings: &findings) }
        case .string(let text):
            // Most strings cannot hold a credential: look at the bytes before building anything.
            guard SecretScanner.mayHold(text, key: key) else { return }
            let line = key.map { "\($0): \(text)" } ?? text
            for hit in SecretScanner.scan(line) {
                findings.report(Self.message(hit), at: node)
            }
        default: break
        }
    }
}
