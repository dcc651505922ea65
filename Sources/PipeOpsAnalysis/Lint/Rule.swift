import PipeOpsModel

/// A rule's documentation and examples: the single source for `pipeops rules`, SARIF rule
/// metadata, the generated docs and the generic example test.
public struct RuleDescription: Sendable {
    public enum Category: String, Sendable, CaseIterable {
        case syntax, structure, references, graph
        case jsonGet = "json-get"
        case caching, retry, parameters, environments, artifacts
    }

    /// What the examples are: definitions, environment files (dev's, checked against
    /// `environmentExampleDefinition` beside a staging environment) or manifests (beside that
    /// definition and a dev environment). RuleExampleTests lints them through the lint gate.
    public enum ExampleKind: String, Sendable { case definition, environment, manifest }

    public var id: String
    public var title: String
    public var category: Category
    public var severity: Severity
    public var rationale: String
    /// Definitions (YAML) that must produce this rule; `↓` marks where each finding must land.
    public var triggering: [String]
    /// Definitions that must not produce this rule.
    public var nonTriggering: [String]
    public var exampleKind: ExampleKind

    public init(
        id: String, title: String, category: Category, severity: Severity, rationale: String,
        triggering: [String], nonTriggering: [String], exampleKind: ExampleKind = .definition
    ) {
        self.exampleKind = exampleKind
        self.id = id
        self.title = title
        self.category = category
        self.severity = severity
        self.rationale = rationale
        self.triggering = triggering
        self.nonTriggering = nonTriggering
    }

    /// The definition that environment and manifest examples are checked against.
    public static let environmentExampleDefinition = """
        Version: "2020-12-01"
        Parameters:
          - { Name: InstanceType, Type: String, DefaultValue: ml.m5.xlarge, EnumValues: [ml.m5.xlarge, ml.m5.2xlarge] }
          - { Name: InstanceCount, Type: Integer, DefaultValue: 1 }
          - { Name: Threshold, Type: Float, DefaultValue: 0.7 }
          - { Name: InputData, Type: String }
        Steps:
          - Name: Stop
            Type: Fail
            Arguments:
              ErrorMessage:
                Std:Join:
                  Values: [ { Get: Parameters.InstanceType }, { Get: Parameters.InstanceCount }, { Get: Parameters.Threshold }, { Get: Parameters.InputData } ]
          - Name: Prep
            Type: Processing
            Arguments:
              AppSpecification: { ImageUri: img }
              RoleArn: "arn:aws:iam::111111111111:role/r"
              ProcessingInputs:
                - { InputName: reference, S3Input: { S3Uri: "s3://shared-bucket/reference/", LocalPath: /opt/ml/processing/ref, S3DataType: S3Prefix, S3InputMode: File } }
              ProcessingResources:
                ClusterConfig: { InstanceCount: { Get: Parameters.InstanceCount }, InstanceType: { Get: Parameters.InstanceType }, VolumeSizeInGB: 30 }
        """

    /// The marker examples use for the expected position of a finding.
    public static let marker: Character = "↓"
}

/// One lint rule. Rules are values with no state; they read the context and append findings.
public protocol Rule: Sendable {
    static var description: RuleDescription { get }
    init()
    func check(_ context: LintContext, into findings: inout FindingSink)
}

extension Rule {
    public var description: RuleDescription { Self.description }
}

/// Collects findings for one rule, stamping its id, severity and file.
public struct FindingSink {
    let rule: RuleDescription
    let file: String
    var findings: [Finding] = []

    public mutating func report(_ message: String, at location: SourceLocation, step: String? = nil, severity: Severity? = nil) {
        findings.append(
            Finding(
                rule: rule.id, severity: severity ?? rule.severity, message: message, file: file,
                location: location, step: step))
    }

    public mutating func report(_ message: String, at node: Node, step: Step? = nil, severity: Severity? = nil) {
        report(message, at: node.location, step: step?.name, severity: severity)
    }
}
