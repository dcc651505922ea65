struct ParameterTypeRule: Rule {
    static let description = RuleDescription(
        id: "parameter-type",
        title: "Parameter types are valid and defaults match them",
        category: .parameters,
        severity: .error,
        rationale: """
            Type is String, Integer, Float or Boolean, and DefaultValue must be of that JSON type \
            (a Float accepts whole numbers). The SDK skips its type check for falsy defaults \
            (0, "", false), so a wrong-typed default can reach the service.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: ↓"2" }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """,
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: ↓Int, DefaultValue: 2 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Rate, Type: Float, DefaultValue: 1 }
              - { Name: Flag, Type: Boolean, DefaultValue: false }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { "Std:Join": { Values: [ { Get: Parameters.Rate }, { Get: Parameters.Flag } ] } } } }
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters {
            guard let typeNode = parameter.node["Type"], let type = typeNode.string else { continue }
            guard parameter.kind != nil else {
                let names = Parameter.Kind.allCases.map(\.rawValue)
                let hint = Suggestion.closest(to: type, in: names + ["Int", "Bool", "Str", "Number"]).flatMap { guess -> String? in
                    let map = ["Int": "Integer", "Bool": "Boolean", "Str": "String", "Number": "Float"]
                    return "; did you mean '\(map[guess] ?? guess)'?"
                } ?? " (use String, Integer, Float or Boolean)"
                findings.report("parameter '\(parameter.name)' has unknown type '\(type)'\(hint)", at: typeNode)
                continue
            }
            if let value = parameter.defaultValue, !parameter.accepts(value) {
                findings.report("default \(value.brief) of \(type) parameter '\(parameter.name)' is a \(value.typeName)\(value.string != nil ? "; remove the quotes" : "")",
                                at: value)
            }
        }
    }
}

struct ParameterEnumRule: Rule {
    static let description = RuleDescription(
        id: "parameter-enum",
        title: "Defaults are among EnumValues",
        category: .parameters,
        severity: .error,
        rationale: """
            EnumValues lists the strings a String parameter may take. A default outside the list \
            is a contradiction the SDK does not check; EnumValues on other types is not emitted by \
            the SDK and is ignored.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Instance, Type: String, DefaultValue: ↓ml.m5.large, EnumValues: [ml.m5.xlarge, ml.m5.2xlarge] }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Instance } } }
            """,
        ],
        nonTriggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Instance, Type: String, DefaultValue: ml.m5.xlarge, EnumValues: [ml.m5.xlarge, ml.m5.2xlarge] }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Instance } } }
            """,
        ])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters {
            guard let enumNode = parameter.node["EnumValues"], let values = parameter.enumValues else { continue }
            if parameter.kind != .string && parameter.kind != nil {
                findings.report("EnumValues on \(parameter.kind!.rawValue) parameter '\(parameter.name)' is ignored; only String parameters have EnumValues",
                                at: enumNode, severity: .warning)
                continue
            }
            if values.isEmpty { findings.report("EnumValues of '\(parameter.name)' is empty; remove it or list the allowed values", at: enumNode) }
            for value in values where value.string == nil {
                findings.report("EnumValues entries must be strings, not a \(value.typeName)", at: value)
            }
            if let value = parameter.defaultValue, let string = value.string, !values.contains(where: { $0.string == string }) {
                let allowed = values.compactMap(\.string)
                findings.report("default \"\(string)\" of '\(parameter.name)' is not one of its EnumValues (\(allowed.joined(separator: ", ")))", at: value)
            }
        }
    }
}

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
              - ↓{ Name: InputData, Type: String }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.InputData } } }
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        for parameter in pipeline.parameters where parameter.defaultValue == nil {
            findings.report("parameter '\(parameter.name)' has no default, so every execution must pass it (set it in each environment file)", at: parameter.node)
        }
    }
}

struct UnusedParameterRule: Rule {
    static let description = RuleDescription(
        id: "unused-parameter",
        title: "Every declared parameter is used",
        category: .parameters,
        severity: .warning,
        rationale: """
            A parameter that no step reads does nothing: setting it per environment changes \
            nothing, which usually means a reference was misspelt or removed.
            """,
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: ↓Unused, Type: String, DefaultValue: x }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: a } }
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        var used = Set<String>()
        context.forEachReference { reference, _, _ in
            if case .parameter(let name) = reference { used.insert(name) }
        }
        for parameter in pipeline.parameters where !used.contains(parameter.name) {
            findings.report("parameter '\(parameter.name)' is declared but never used; remove it or reference it with {\"Get\": \"Parameters.\(parameter.name)\"}",
                            at: parameter.node["Name"] ?? parameter.node)
        }
    }
}

struct DuplicateParameterRule: Rule {
    static let description = RuleDescription(
        id: "duplicate-parameter",
        title: "Parameter names are unique",
        category: .parameters,
        severity: .error,
        rationale: "Two parameters with one name make every reference to it ambiguous; the service rejects the definition.",
        triggering: [
            """
            Version: "2020-12-01"
            Parameters:
              - { Name: Count, Type: Integer, DefaultValue: 1 }
              - { Name: ↓Count, Type: Integer, DefaultValue: 2 }
            Steps:
              - { Name: Stop, Type: Fail, Arguments: { ErrorMessage: { Get: Parameters.Count } } }
            """,
        ],
        nonTriggering: [])

    func check(_ context: LintContext, into findings: inout FindingSink) {
        guard let pipeline = context.definition else { return }
        var seen: [String: Int] = [:]
        for parameter in pipeline.parameters {
            if let line = seen[parameter.name] {
                findings.report("parameter '\(parameter.name)' is declared again (first at line \(line))", at: parameter.node["Name"] ?? parameter.node)
            } else {
                seen[parameter.name] = parameter.node.location.line
            }
        }
    }
}
