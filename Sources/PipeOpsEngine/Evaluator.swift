import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Why a step failed while resolving its expressions.
public struct EvaluationError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// What expressions can see while a step runs.
struct RuntimeContext: Sendable {
    var pipeline: Pipeline
    var pipelineName: String
    var executionId: String
    var startTime: Date
    var parameters: [String: Node]
    var properties: @Sendable (String) -> Node?
    var s3: LocalS3
    /// The job name of the step being evaluated (for Execution.TrainingJobName/ProcessingJobName).
    var jobName: String?
    var stepType: StepType?
    /// In a ForEach body step: the item of this iteration.
    var currentItem: Node? = nil
    /// While a ForEach step evaluates its Selector: one iteration's body step properties.
    var iterationProperties: [String: Node]? = nil

    var pipelineArn: String { "arn:aws:sagemaker:local:000000000000:pipeline/\(pipelineName.lowercased())" }
    var executionArn: String { "\(pipelineArn)/execution/\(executionId)" }
}

/// Evaluates expressions with the service's semantics, but strictly: a reference or JsonGet
/// path that does not resolve fails the step and says what does exist (the service yields nothing).
package enum Evaluator {
    /// Replaces every expression inside `node` with its value.
    static func resolve(_ node: Node, _ context: RuntimeContext) throws(EvaluationError) -> Node {
        switch node.value {
        case .object(let members):
            let expression = Expression.parse(node)
            if case .literal = expression {
                var resolved: [Node.Member] = []
                resolved.reserveCapacity(members.count)
                for member in members {
                    resolved.append(
                        Node.Member(key: member.key, keyLocation: member.keyLocation, value: try resolve(member.value, context)))
                }
                return Node(.object(resolved), at: node.location)
            }
            return try evaluate(expression, context)
        case .array(let elements):
            var resolved: [Node] = []
            for element in elements { resolved.append(try resolve(element, context)) }
            return Node(.array(resolved), at: node.location)
        default:
            return node
        }
    }

    static func evaluate(_ expression: PipeOpsModel.Expression, _ context: RuntimeContext) throws(EvaluationError) -> Node {
        switch expression {
        case .literal(let node): return try resolve(node, context)
        case .malformed(let message, _): throw EvaluationError(message)
        case .get(let reference, _): return try get(reference, context)
        case .join(let on, let values, _):
            var parts: [String] = []
            for value in values { parts.append(text(try evaluate(value, context))) }
            return Node(.string(parts.joined(separator: on)))
        case .jsonGet(let jsonGet, _): return try evaluateJsonGet(jsonGet, context)
        }
    }

    static func get(_ reference: Reference, _ context: RuntimeContext) throws(EvaluationError) -> Node {
        switch reference {
        case .parameter(let name):
            guard let value = context.parameters[name] else { throw EvaluationError("parameter '\(name)' has no value") }
            return value
        case .execution(let name):
            let iso = ISO8601DateFormatter()
            switch name {
            case "PipelineName": return Node(.string(context.pipelineName))
            case "PipelineArn": return Node(.string(context.pipelineArn))
            case "PipelineExecutionId": return Node(.string(context.executionId))
            case "PipelineExecutionArn": return Node(.string(context.executionArn))
            case "StartDateTime": return Node(.string(iso.string(from: context.startTime)))
            case "CurrentDateTime": return Node(.string(iso.string(from: Date())))
            case let variable where variable == context.stepType?.kind?.jobNameVariable:
                return Node(.string(context.jobName ?? ""))
            case let variable where StepKind.catalog.contains { $0.jobNameVariable == variable }:
                let owner = StepKind.catalog.first { $0.jobNameVariable == variable }!
                throw EvaluationError("Execution.\(name) only has a value inside a \(owner.name) step")
            default: throw EvaluationError("'Execution.\(name)' is not an execution variable")
            }
        case .experimentConfig(let name):
            switch name {
            case "ExperimentName": return Node(.string(context.pipelineName))
            case "TrialName": return Node(.string(context.executionId))
            default: throw EvaluationError("'PipelineExperimentConfig.\(name)' does not exist")
            }
        case .stepProperty(let step, let text):
            guard let properties = context.properties(step) else {
                throw EvaluationError("'\(reference.text)' reads step '\(step)', which has not run in this execution")
            }
            guard case .success(let path) = PropertyPath.parseProperty(text) else {
                throw EvaluationError("'\(reference.text)' is not a valid property path")
            }
            return try walk(properties, path, describing: "'\(reference.text)'", root: "step '\(step)'")
        case .propertyFile:
            throw EvaluationError("'\(reference.text)' names a property file; read it with Std:JsonGet")
        case .currentItem(let text):
            guard let item = context.currentItem else {
                throw EvaluationError("'\(reference.text)' only has a value in the body of a ForEach step")
            }
            guard case .success(let path) = PropertyPath.parseProperty(text) else {
                throw EvaluationError("'\(reference.text)' is not a valid path into the current item")
            }
            if path.segments.isEmpty { return item }
            // Items are commonly JSON-object strings whose fields the body reads (SDK v3 docs).
            var value = item
            if let string = item.string, let parsed = try? DocumentLoader.parse(data: Data(string.utf8), path: "item", syntax: .json).root,
                parsed.members != nil || parsed.elements != nil
            {
                value = parsed
            }
            return try walk(value, path, describing: "'\(reference.text)'", root: "the current item")
        case .iterationOutput(let step, let text):
            guard let iteration = context.iterationProperties else {
                throw EvaluationError("'\(reference.text)' only has a value in the Selector of a ForEach step")
            }
            guard let properties = iteration[step] else {
                throw EvaluationError("'\(reference.text)' reads body step '\(step)', which did not run in this iteration")
            }
            guard case .success(let path) = PropertyPath.parseProperty(text) else {
                throw EvaluationError("'\(reference.text)' is not a valid property path")
            }
            return try walk(properties, path, describing: "'\(reference.text)'", root: "body step '\(step)'")
        case .invalid(let text, let reason):
            throw EvaluationError("'\(text)': \(reason)")
        }
    }

    /// Follows `path` through a JSON value. Keyed lookups on lists match an element's name field
    /// (OutputName, InputName, MetricName, ChannelName, Name), as the service does for Outputs['x'].
    static func walk(_ root: Node, _ path: PropertyPath, describing what: String, root label: String) throws(EvaluationError) -> Node {
        switch JSONWalk.walk(root, path, root: label, keyedLists: true) {
        case .success(let value): return value
        case .failure(let error): throw EvaluationError("\(what) does not resolve: \(error.message)")
        }
    }

    static func evaluateJsonGet(_ jsonGet: JsonGet, _ context: RuntimeContext) throws(EvaluationError) -> Node {
        let uri: String
        let fileLabel: String
        switch jsonGet.source {
        case .propertyFile:
            guard let (stepName, fileName, _) = jsonGet.propertyFile else { throw EvaluationError("invalid Std:JsonGet property file") }
            guard let producer = context.pipeline.step(named: stepName),
                let declaration = producer.propertyFiles.first(where: { $0.name == fileName })
            else {
                throw EvaluationError("step '\(stepName)' declares no property file '\(fileName)'")
            }
            guard let properties = context.properties(stepName) else {
                throw EvaluationError("property file '\(fileName)' belongs to step '\(stepName)', which has not run in this execution")
            }
            let outputName = declaration.outputName ?? ""
            let output = try walk(
                properties,
                PropertyPath(segments: [
                    .member("ProcessingOutputConfig"), .member("Outputs"), .key(outputName), .member("S3Output"), .member("S3Uri"),
                ]),
                describing: "the output '\(outputName)' of property file '\(fileName)'", root: "step '\(stepName)'")
            guard let base = output.string else { throw EvaluationError("output '\(outputName)' of step '\(stepName)' has no S3 URI") }
            uri = base.hasSuffix("/") ? base + (declaration.filePath ?? "") : base + "/" + (declaration.filePath ?? "")
            fileLabel = "property file '\(fileName)' (\(uri))"
        case .s3Uri(let expression):
            guard let text = try evaluate(expression, context).string else { throw EvaluationError("Std:JsonGet S3Uri is not a string") }
            uri = text
            fileLabel = uri
        case .missing:
            throw EvaluationError("Std:JsonGet needs a PropertyFile or an S3Uri")
        }
        let data: Data
        do { data = try context.s3.read(uri) } catch {
            throw EvaluationError("Std:JsonGet cannot read \(fileLabel): \(error.errorDescription ?? "\(error)")")
        }
        let document: Document
        do { document = try DocumentLoader.parse(data: data, path: uri, syntax: .json) } catch {
            throw EvaluationError("Std:JsonGet: \(fileLabel) is not valid JSON")
        }
        guard let text = jsonGet.path, case .success(let path) = PropertyPath.parseJSONPath(text) else {
            throw EvaluationError("Std:JsonGet path '\(jsonGet.path ?? "")' is invalid")
        }
        let value = try walk(document.root, path, describing: "JsonGet path '\(text)' in \(fileLabel)", root: "the top level")
        if value.members != nil || value.elements != nil {
            throw EvaluationError(
                "JsonGet path '\(text)' in \(fileLabel) ends at \(value.members != nil ? "an object" : "a list"), not a single value")
        }
        return value
    }

    /// How Std:Join writes a value: strings as they are, numbers as JSON, booleans as true/false.
    package static func text(_ node: Node) -> String {
        switch node.value {
        case .string(let string): return string
        case .integer(let int): return String(int)
        case .number(let double): return CanonicalJSON.format(double)
        case .bigInteger(let digits): return digits
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return ""
        default: return CanonicalJSON.string(node)
        }
    }

    // MARK: Conditions

    /// All conditions must hold (the list is an AND), evaluated in order with short-circuit.
    static func conditions(_ list: [Node], _ context: RuntimeContext) throws(EvaluationError) -> Bool {
        for condition in list where !(try self.condition(condition, context)) { return false }
        return true
    }

    static func condition(_ node: Node, _ context: RuntimeContext) throws(EvaluationError) -> Bool {
        guard let type = node["Type"]?.string else { throw EvaluationError("a condition has no Type") }
        func operand(_ key: String) throws(EvaluationError) -> Node {
            guard let value = node[key] else { throw EvaluationError("\(type) condition has no \(key)") }
            return try evaluate(Expression.parse(value), context)
        }
        switch type {
        case "Equals":
            let (left, right) = (try operand("LeftValue"), try operand("RightValue"))
            return try compare(left, right, type) == .orderedSame
        case "GreaterThan": return try compare(try operand("LeftValue"), try operand("RightValue"), type) == .orderedDescending
        case "GreaterThanOrEqualTo": return try compare(try operand("LeftValue"), try operand("RightValue"), type) != .orderedAscending
        case "LessThan": return try compare(try operand("LeftValue"), try operand("RightValue"), type) == .orderedAscending
        case "LessThanOrEqualTo": return try compare(try operand("LeftValue"), try operand("RightValue"), type) != .orderedDescending
        case "In":
            let query = try operand("QueryValue")
            let values = try operand("Values")
            guard let list = values.elements else { throw EvaluationError("In condition Values is not a list") }
            for value in list where (try? compare(query, value, "In")) == .orderedSame { return true }
            return false
        case "Not":
            guard let inner = node["Condition"] ?? node["Expression"] else { throw EvaluationError("Not condition has no Condition") }
            return !(try condition(inner, context))
        case "Or":
            guard let list = node["Conditions"]?.elements else { throw EvaluationError("Or condition has no Conditions list") }
            for inner in list where try condition(inner, context) { return true }
            return false
        default:
            throw EvaluationError("unknown condition type '\(type)'")
        }
    }

    /// Numbers compare as numbers (Integer with Float too), strings as strings, booleans only for
    /// equality. Mixed types fail the step rather than silently comparing unequal.
    static func compare(_ left: Node, _ right: Node, _ type: String) throws(EvaluationError) -> ComparisonResult {
        switch (left.value, right.value) {
        case (.integer(let a), .integer(let b)): return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (.integer, .number), (.number, .integer), (.number, .number):
            let a = left.double!
            let b = right.double!
            // NaN is neither less, greater nor equal: it would pass ">=" as "not ascending". The
            // service's JSON cannot hold it, so a NaN here is a broken metric: fail the step.
            guard a.isFinite, b.isFinite else {
                throw EvaluationError(
                    "\(type) cannot compare \(left.brief) with \(right.brief): a value is not a finite number (NaN or infinity, e.g. a metric that diverged)"
                )
            }
            return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (.string(let a), .string(let b)): return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (.bool(let a), .bool(let b)) where type == "Equals" || type == "In": return a == b ? .orderedSame : .orderedAscending
        default:
            throw EvaluationError(
                "\(type) cannot compare \(left.brief) (\(left.typeName)) with \(right.brief) (\(right.typeName)); convert one side")
        }
    }
}
