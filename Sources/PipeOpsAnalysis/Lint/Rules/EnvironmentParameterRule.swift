import PipeOpsModel

struct EnvironmentParameterRule: Rule {
    static let description = RuleDescription(
        id: "environment-parameter",
        title: "Environment values fit the definition's parameters",
        category: .environments,
        severity: .error,
        rationale: """
            Each value in an environment's parameters must name a declared parameter, have its \
            type and be among its EnumValues, and fit the API limits of every field it flows into \
            (e.g. a processing InstanceCount of 1–100); every parameter without a default needs a value. \
            Otherwise the environment fails at start — in prod, on release day.
            """,
        triggering: [
            """
            parameters:
              ↓InstanceCnt: 2
              InputData: "s3://b/in"
            """,
            """
            parameters:
              InstanceCount: ↓"2"
              InputData: "s3://b/in"
            """,
            """
            parameters:
              InstanceType: ↓ml.p3.2xlarge
              InputData: "s3://b/in"
            """,
            """
            ↓parameters:
              InstanceCount: 2
            """,
            """
            parameters:
              InstanceCount: ↓0
              InputData: "s3://b/in"
            """,
        ],
        nonTriggering: [
            """
            parameters:
              InstanceType: ml.m5.2xlarge
              InstanceCount: 2
              Threshold: 1
              InputData: "s3://b/in"
            """
        ],
        exampleKind: .environment)

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard case .environment(let name) = context.role, let pipeline = context.pipeline else { return }
        let file = EnvironmentFile(document: context.document)
        let declared = pipeline.parameters.map(\.name)
        var given = Set<String>()
        let sinks = Dictionary(grouping: ArgumentsShapeRule.parameterSinks(in: pipeline, shapes: context.shapes), by: \.parameter)
        for member in file.parameters {
            given.insert(member.key)
            guard let parameter = pipeline.parameter(named: member.key) else {
                if context.sharedEnvironments { continue } // another pipeline's value
                let hint =
                    Suggestion.hint(member.key, in: declared)
                    ?? " (declared: \(declared.isEmpty ? "none" : StepProperties.listing(declared)))"
                findings.report("environment '\(name)' sets unknown parameter '\(member.key)'\(hint)", at: member.keyLocation)
                continue
            }
            let value = member.value
            if let problem = parameter.problem(with: value) {
                findings.report("parameter '\(member.key)' \(problem) in environment '\(name)'", at: value)
            } else if let (sink, problem) = (sinks[member.key] ?? []).lazy.compactMap({ sink in
                sink.limits.flatMap { ArgumentsShapeRule.outOfRange(value, type: sink.type, limits: $0) }.map { (sink, $0) }
            }).first {
                findings.report(
                    "environment '\(name)' sets '\(member.key)' to \(problem), but it flows into \(sink.field) of step '\(sink.step)', which takes \(ArgumentsShapeRule.rangePhrase(sink.type, sink.limits!)); the job would fail when it starts",
                    at: value)
            }
        }
        let missing = pipeline.parameters.filter { $0.defaultValue == nil && !given.contains($0.name) }.map(\.name)
        if !missing.isEmpty {
            let anchor = context.document.root["parameters"].flatMap { $0.isNull ? nil : $0 } ?? context.document.root
            let at = context.document.root.member("parameters")?.keyLocation ?? anchor.location
            findings.report(
                "environment '\(name)' gives no value for \(missing.map { "'\($0)'" }.joined(separator: ", ")), which \(missing.count == 1 ? "has" : "have") no default; every execution would fail to start",
                at: at)
        }
    }
}
