import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Lambda and Callback: output parameters from a stand-in command or fixed outputs.
enum OutputParameterRunner: StepRunner {
    /// Lambda and Callback: the stand-in reads the step's inputs as JSON on stdin (and in
    /// PIPEOPS_INPUTS_FILE, and PIPEOPS_INPUTS when small) and prints a JSON object of OutputParameters; or fixed outputs come from the manifest.
    static func run(_ job: StepJob) throws(StepFailure) -> Node {
        var produced: Node
        if let fixed = job.fixedOutputs {
            produced = fixed
        } else if let standIn = job.standIn {
            try StepRunners.runWithInputs(standIn, job: job, inputs: job.arguments)
            let text = (try? String(contentsOfFile: job.stdoutPath, encoding: .utf8)) ?? ""
            guard let document = try? DocumentLoader.parse(data: Data(text.utf8), path: "stdout", syntax: .json),
                document.root.members != nil
            else {
                throw StepFailure(
                    message:
                        "the stand-in for \(job.step.type?.rawValue ?? "") step '\(job.step.name)' must print a JSON object of output parameters on stdout",
                    exceptionType: nil)
            }
            produced = document.root
        } else {
            throw StepFailure(
                message:
                    "no stand-in for \(job.step.type?.rawValue ?? "") step '\(job.step.name)'; configure local.steps.\(job.step.name).command or .outputs",
                exceptionType: nil)
        }
        var outputs: [Node.Member] = []
        for declaration in job.step.node["OutputParameters"]?.elements ?? [] {
            guard let name = declaration["OutputName"]?.string else { continue }
            guard let value = produced[name] else {
                let given = (produced.members ?? []).map(\.key)
                throw StepFailure(
                    message: "output parameter '\(name)' was not produced (got: \(given.isEmpty ? "none" : given.joined(separator: ", ")))",
                    exceptionType: nil)
            }
            let type = declaration["OutputType"]?.string ?? "String"
            guard let coerced = coerce(value, to: type) else {
                throw StepFailure(message: "output parameter '\(name)' is \(value.brief), not a \(type)", exceptionType: nil)
            }
            outputs.append(member(name, coerced.value))
        }
        return Node(.object([member("OutputParameters", .object(outputs))]))
    }

    static func coerce(_ value: Node, to type: String) -> Node? {
        switch (type, value.value) {
        case ("String", .string): return value
        case ("String", _): return Node(.string(Evaluator.text(value)))
        case ("Integer", .integer): return value
        case ("Integer", .string(let s)): return Int(s).map { Node(.integer($0)) }
        case ("Float", .integer), ("Float", .number): return value
        case ("Float", .string(let s)): return Double(s).flatMap { $0.isFinite ? Node(.number($0)) : nil }
        case ("Boolean", .bool): return value
        case ("Boolean", .string(let s)): return ["true": true, "false": false][s.lowercased()].map { Node(.bool($0)) }
        default: return nil
        }
    }
}
