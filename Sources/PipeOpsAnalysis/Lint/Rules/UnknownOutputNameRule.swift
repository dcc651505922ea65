import PipeOpsModel

struct UnknownOutputNameRule: Rule {
    static let description = RuleDescription(
        id: "unknown-output-name",
        title: "Outputs['x'] and OutputParameters['x'] name declared outputs",
        category: .references,
        severity: .error,
        rationale: """
            The service resolves ProcessingOutputConfig.Outputs['name'] by OutputName, and \
            OutputParameters['name'] of Lambda and Callback steps by the declared OutputName. A \
            name that is not declared resolves to nothing at run time.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Validate
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                OutputParameters: [ { OutputName: status, OutputType: String } ]
                Arguments: {}
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { Get: ↓"Steps.Validate.OutputParameters['state']" } }
            """
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Steps:
              - Name: Validate
                Type: Lambda
                FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:f"
                OutputParameters: [ { OutputName: status, OutputType: String } ]
                Arguments: {}
              - Name: Stop
                Type: Fail
                Arguments: { ErrorMessage: { Get: "Steps.Validate.OutputParameters['status']" } }
            """
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        context.forEachReference { reference, node, step in
            if case .undeclared(let message)? = context.resolution(of: reference) {
                findings.report("'\(reference.text)': \(message)", at: node.location, step: step.findingName)
            }
        }
    }
}
