import Foundation
import PipeOpsApp
import PipeOpsModel

/// How `plan` and `status` read: text for a terminal, JSON for tools, Markdown for a pull
/// request comment.
public enum DeploymentReport {
    public enum Format: String, CaseIterable, Sendable { case text, json, markdown }

    static func value(_ text: String?) -> String {
        guard let text else { return "∅" }
        return text.count > 120 ? String(text.prefix(117)) + "…" : text
    }

    static func changeLines(_ difference: DeploymentDifference) -> [String] {
        var lines: [String] = []
        for step in difference.steps {
            switch step.kind {
            case "added": lines.append("+ step \(step.step)")
            case "removed": lines.append("- step \(step.step)")
            default:
                lines.append("~ step \(step.step)")
                for change in step.changes {
                    lines.append("    \(change.path.isEmpty ? "(whole step)" : change.path): \(value(change.old)) → \(value(change.new))")
                }
            }
        }
        for change in difference.parameters { lines.append("~ parameter \(change.path): \(value(change.old)) → \(value(change.new))") }
        for change in difference.definition { lines.append("~ definition \(change.path): \(value(change.old)) → \(value(change.new))") }
        for change in difference.settings { lines.append("~ \(change.path): \(value(change.old)) → \(value(change.new))") }
        for change in difference.tags { lines.append("~ tag \(change.path): \(value(change.old)) → \(value(change.new))") }
        return lines
    }

    public static func plan(_ result: PlanUseCase.Result, as format: Format) -> String {
        let head = "\(result.pipelineName) (\(result.environment))"
        var lines: [String] = []
        if result.deployed == nil {
            lines.append("+ create pipeline \(head) with \(result.structureSha256.prefix(12)) structure")
        } else {
            lines += changeLines(result.difference)
        }
        for uri in result.toPublish { lines.append("+ publish \(uri)") }
        let summary =
            result.hasChanges
            ? "\(result.deployed == nil ? "create" : "update") \(head): \(result.difference.fieldPaths.count) field change\(result.difference.fieldPaths.count == 1 ? "" : "s"), \(result.toPublish.count) of \(result.codeObjects) code object\(result.codeObjects == 1 ? "" : "s") to publish"
            : "no changes: \(head) is what upsert would deploy (\(result.codeObjects) code object\(result.codeObjects == 1 ? "" : "s") in place)"
        switch format {
        case .text:
            return (lines + [summary]).joined(separator: "\n") + "\n"
        case .markdown:
            var text = "### pipeops plan: \(head)\n\n"
            text += result.hasChanges ? "**\(summary)**\n\n```diff\n" + lines.joined(separator: "\n") + "\n```\n" : "\(summary)\n"
            text += "\nstructure `\(result.structureSha256.prefix(12))` · code `\(result.codeSha256.prefix(12))`"
            text += result.commit.map { " · commit `\($0.prefix(12))`" } ?? ""
            return text + "\n"
        case .json:
            func changes(_ list: [NodeDiff.Change]) -> Node {
                Node(.array(list.map { Node(object: [("path", Node(.string($0.path))), ("old", text($0.old)), ("new", text($0.new))]) }))
            }
            let root = Node(object: [
                ("environment", Node(.string(result.environment))), ("pipelineName", Node(.string(result.pipelineName))),
                ("exists", Node(.bool(result.deployed != nil))), ("pipelineArn", text(result.deployed?.arn)),
                ("changes", Node(.bool(result.hasChanges))),
                (
                    "steps",
                    Node(
                        .array(
                            result.difference.steps.map {
                                Node(object: [
                                    ("step", Node(.string($0.step))), ("kind", Node(.string($0.kind))), ("fields", changes($0.changes)),
                                ])
                            }))
                ),
                ("parameters", changes(result.difference.parameters)), ("definition", changes(result.difference.definition)),
                ("settings", changes(result.difference.settings)), ("tags", changes(result.difference.tags)),
                ("publish", Node(.array(result.toPublish.map { Node(.string($0)) }))), ("codeObjects", Node(.integer(result.codeObjects))),
                ("images", Node(.array(result.images.map { Node(.string($0)) }))), ("commit", text(result.commit)),
                ("structureSha256", Node(.string(result.structureSha256))), ("codeSha256", Node(.string(result.codeSha256))),
            ])
            return CanonicalJSON.string(root, sortKeys: false, pretty: true) + "\n"
        }
    }

    static func text(_ value: String?) -> Node { value.map { Node(.string($0)) } ?? Node(.null) }

    public static func status(_ result: StatusUseCase.Result, as format: Format) -> String {
        switch format {
        case .json:
            let environments = result.environments.map { entry -> Node in
                Node(object: [
                    ("environment", Node(.string(entry.name))), ("pipelineName", Node(.string(entry.pipelineName))),
                    (
                        "deployed",
                        entry.deployed.map { deployed in
                            Node(object: [
                                ("pipelineArn", Node(.string(deployed.arn))), ("commit", text(deployed.stampedCommit)),
                                ("version", text(deployed.tags["pipeops:version"])),
                                ("structureSha256", text(deployed.tags["pipeops:structure-sha256"])),
                                ("codeSha256", text(deployed.tags["pipeops:code-sha256"])), ("lastModified", text(deployed.lastModified)),
                            ])
                        } ?? Node(.null)
                    ),
                    (
                        "promoted",
                        entry.promoted.map {
                            Node(object: [
                                ("version", Node(.string($0.version))), ("commit", Node(.string($0.commit))),
                                ("structureSha256", Node(.string($0.structureSha256))), ("recordedAt", Node(.string($0.recordedAt))),
                            ])
                        } ?? Node(.null)
                    ),
                    (
                        "head",
                        Node(object: [
                            ("commit", text(entry.headCommit)), ("structureSha256", Node(.string(entry.headStructure))),
                            ("codeSha256", Node(.string(entry.headCode))), ("deployed", Node(.bool(entry.headIsDeployed))),
                        ])
                    ),
                    (
                        "executions",
                        Node(
                            .array(
                                entry.executions.map {
                                    Node(object: [
                                        ("arn", Node(.string($0.arn))), ("status", Node(.string($0.status))), ("started", text($0.started)),
                                    ])
                                }))
                    ),
                    ("drift", Node(.array(entry.drift.map { Node(.string($0)) }))), ("driftUnchecked", text(entry.driftUnchecked)),
                    ("unrecorded", text(entry.unrecorded)), ("deployedBy", text(entry.deployedBy)),
                ])
            }
            let root = Node(object: [("environments", Node(.array(environments))), ("drift", Node(.bool(result.drifted)))])
            return CanonicalJSON.string(root, sortKeys: false, pretty: true) + "\n"
        case .text, .markdown:
            var out = ""
            for entry in result.environments {
                out += "\(entry.name)  \(entry.pipelineName)\n"
                if let deployed = entry.deployed {
                    out +=
                        "  deployed   \(deployed.tags["pipeops:version"] ?? "?") (commit \(deployed.stampedCommit.map { String($0.prefix(7)) } ?? "none")) structure \(deployed.tags["pipeops:structure-sha256"].map { String($0.prefix(12)) } ?? "?") code \(deployed.tags["pipeops:code-sha256"].map { String($0.prefix(12)) } ?? "?") · \(deployed.arn)\n"
                } else {
                    out += "  deployed   nothing: no pipeline named \(entry.pipelineName)\n"
                }
                out +=
                    entry.promoted.map {
                        "  promoted   \($0.version) (commit \($0.commit.prefix(7))) structure \($0.structureSha256.prefix(12)) at \($0.recordedAt)\n"
                    } ?? "  promoted   nothing recorded\n"
                out +=
                    "  HEAD       \(entry.headCommit.map { String($0.prefix(7)) } ?? "no commit") structure \(entry.headStructure.prefix(12)) code \(entry.headCode.prefix(12))\(entry.headIsDeployed ? " (deployed)" : "")\n"
                for execution in entry.executions {
                    out +=
                        "  execution  \(execution.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(execution.started ?? "") \(execution.arn)\n"
                }
                if !entry.drift.isEmpty {
                    out += "  DRIFT      the deployed pipeline differs from its commit's rendering (edited outside git):\n"
                    for path in entry.drift { out += "               \(path)\n" }
                }
                if let owner = entry.deployedBy {
                    out +=
                        "  shared     \(entry.pipelineName) holds \(owner)'s deployment (its pipeops:environment tag): \(entry.name) has no pipeline of its own in this account; set pipelineName in its environment file, or give it an account of its own\n"
                }
                if let unchecked = entry.driftUnchecked { out += "  drift      not checked: \(unchecked)\n" }
                if let unrecorded = entry.unrecorded { out += "  ledger     \(unrecorded)\n" }
            }
            out +=
                result.drifted
                ? "drift found: run 'pipeops plan --env ENV' to see it and 'pipeops upsert --env ENV' to repair it\n" : "no drift\n"
            return out
        }
    }
}

extension DeploymentReport {
    /// `pipeops why`: the failing steps first, each with its job, log lines and definition line.
    public static func why(_ result: WhyUseCase.Result, as format: Format) -> String {
        if format == .json {
            let steps = result.steps.map { step -> Node in
                Node(object: [
                    ("step", Node(.string(step.name))), ("type", text(step.type)), ("status", Node(.string(step.status))),
                    ("failureReason", text(step.failureReason)), ("attempts", step.attempts.map { Node(.integer($0)) } ?? Node(.null)),
                    ("cacheSource", text(step.cacheSource)), ("definedAt", text(step.definedAt)),
                    (
                        "job",
                        step.job.map { job in
                            Node(object: [
                                ("kind", Node(.string(job.kind))), ("name", Node(.string(job.name))), ("status", text(job.status)),
                                ("failureReason", text(job.failureReason)), ("notes", Node(.array(job.notes.map { Node(.string($0)) }))),
                            ])
                        } ?? Node(.null)
                    ),
                    ("logSource", text(step.logSource)), ("logLines", Node(.array(step.logLines.map { Node(.string($0)) }))),
                    ("logProblem", text(step.logProblem)),
                ])
            }
            let root = Node(object: [
                ("execution", Node(.string(result.execution))), ("local", Node(.bool(result.local))),
                ("status", Node(.string(result.status))),
                ("failureReason", text(result.failureReason)), ("release", text(result.release)), ("failedSteps", Node(.array(steps))),
                ("stepsUnavailable", text(result.stepsUnavailable)),
            ])
            return CanonicalJSON.string(root, sortKeys: false, pretty: true) + "\n"
        }
        var out = "\(result.local ? "local execution" : "execution") \(result.execution): \(result.status)"
        out += result.failureReason.flatMap { $0.isEmpty ? nil : " — \($0)" } ?? ""
        out += "\n"
        if let release = result.release { out += "ran      \(release)\n" }
        if let unavailable = result.stepsUnavailable { out += "steps    not listed: \(unavailable)\n" }
        if result.steps.isEmpty { out += "no step failed\n" }
        for step in result.steps {
            out += "✘ \(step.name)\(step.type.map { " (\($0))" } ?? "") \(step.status)\(step.definedAt.map { " · \($0)" } ?? "")\n"
            if let reason = step.failureReason { out += "  reason   \(reason)\n" }
            var facts: [String] = []
            if let attempts = step.attempts { facts.append("\(attempts) attempt\(attempts == 1 ? "" : "s")") }
            if let source = step.cacheSource { facts.append("cached from \(source)") }
            if !facts.isEmpty { out += "  facts    \(facts.joined(separator: ", "))\n" }
            if let job = step.job {
                out +=
                    "  job      \(job.kind) \(job.name)\(job.status.map { " · \($0)" } ?? "")\(job.failureReason.map { " · \($0)" } ?? "")\n"
                for note in job.notes { out += "           \(note)\n" }
            }
            if let source = step.logSource {
                out += "  log      \(source) (last \(step.logLines.count) line\(step.logLines.count == 1 ? "" : "s")):\n"
                for line in step.logLines { out += "           \(line)\n" }
            }
            if let problem = step.logProblem { out += "  log      \(problem)\n" }
        }
        return out
    }
}
