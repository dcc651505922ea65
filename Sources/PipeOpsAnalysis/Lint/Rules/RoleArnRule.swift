import PipeOpsModel

struct RoleArnRule: Rule {
    static let description = RuleDescription(
        id: "role-arn",
        title: "Role ARNs are IAM role ARNs",
        category: .environments,
        severity: .error,
        rationale: """
            CreatePipeline needs RoleArn as arn:aws[-partition]:iam::<12-digit account>:role/<path/name>, \
            20–2048 characters. A user ARN, a role name or a typo in the account id fails at upsert, \
            late in a release.
            """,
        triggering: [
            """
            roleArn: ↓"arn:aws:iam::1234:role/pipeline"
            parameters: { InputData: "s3://b/in" }
            """
        ],
        nonTriggering: [
            """
            roleArn: "arn:aws:iam::111111111111:role/service-role/pipeline"
            parameters: { InputData: "s3://b/in" }
            """
        ],
        exampleKind: .environment)

    static func problem(with arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam", parts[3].isEmpty else {
            return "'\(arn)' is not an IAM role ARN; expected arn:aws:iam::<account>:role/<name>"
        }
        guard parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "the account id '\(parts[4])' in '\(arn)' must be 12 digits"
        }
        guard parts[5].hasPrefix("role/"), parts[5].count > 5 else {
            return "'\(arn)' is not a role ARN (the resource must be role/<name>)"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@-_/")
        if let bad = parts[5].dropFirst(5).first(where: { !allowed.contains($0) }) {
            return "role name in '\(arn)' contains '\(bad)', which IAM does not allow"
        }
        if arn.count < 20 || arn.count > 2048 { return "role ARN must be 20–2048 characters" }
        return nil
    }

    func check(_ context: LintContext, into findings: inout FindingSink) {
        let node: Node?
        switch context.role {
        case .manifest: node = context.document.root["pipeline"]?["roleArn"]
        case .environment: node = context.document.root["roleArn"]
        case .definition: node = nil
        }
        guard let node, let arn = node.string, let problem = Self.problem(with: arn) else { return }
        findings.report(problem, at: node)
    }
}
