import PipeOpsModel

struct ParameterRequiredRule: Rule {
    static let description = RuleDescription(
        id: "parameter-required",
        title: "Parameters without a default must be given at start",
        category: .parameters,
        severity: .info,
        rationale: """
            A parameter with no DefaultValue must be passed to every StartPipelineExecution; a \
            start without it fails ("Parameter 'X' is undefined"). Each environment file should set it.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: ↓InputData, Type: String }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.InputData } } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: InputData, Type: String, DefaultValue: "s3://b/in" }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.InputData } } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters where parameter.defaultValue == nil {
            findings.report(
                "parameter '\(parameter.name)' has no default, so every execution must pass it (set it in each environment file)",
                at: parameter.node["Name"] ?? parameter.node)
        }
    }
}
