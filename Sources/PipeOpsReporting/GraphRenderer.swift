import PipeOpsAnalysis
import PipeOpsApp
import PipeOpsEngine
import PipeOpsModel

/// `pipeops graph` output: the dependency graph as Mermaid or Graphviz dot.
public enum GraphRenderer {
    public enum Format: String, CaseIterable, Sendable { case mermaid, dot }

    /// With `execution`, each step is labelled with its status, duration and cache hit in that
    /// local execution, coloured by status, and a Condition's edges say which branch was taken.
    public static func render(_ pipeline: Pipeline, as format: Format, execution: ExecutionRecord? = nil) -> String {
        let graph = DependencyGraph(pipeline: pipeline)
        let ids = pipeline.steps.map { "s\($0.index)" }
        let records = Dictionary((execution?.steps ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func status(_ step: Step) -> String? {
            guard let record = records[step.name] else { return execution == nil ? nil : "not in this execution" }
            var text = record.status.rawValue
            if let source = record.reusedFrom {
                text += " · reused from \(source)"
            } else if let hit = record.cacheHit {
                text += " · cached from \(hit.sourceExecution)"
            } else if let duration = record.durationSeconds {
                text += String(format: " · %.2fs", duration)
            }
            if let outcome = record.outcome { text += " · \(outcome)" }
            return text
        }
        func label(_ step: Step) -> String {
            let base = "\(step.name) (\(step.type?.rawValue ?? "?"))"
            let annotated = status(step).map { format == .mermaid ? base + "<br/>" + $0 : base + "\\n" + $0 } ?? base
            return annotated.replacingOccurrences(of: "\"", with: "'")
        }
        func taken(_ edge: DependencyGraph.Edge) -> String {
            guard edge.kind == .branch, let outcome = records[pipeline.steps[edge.from].name]?.outcome else { return "" }
            let branchIsTrue = pipeline.steps[edge.to].membership?.branch == .ifSteps
            return branchIsTrue == outcome ? " (taken)" : " (not taken)"
        }
        func edgeLabel(_ edge: DependencyGraph.Edge) -> String {
            switch edge.kind {
            case .branch:
                let member = pipeline.steps[edge.to].membership
                return member?.branch == .ifSteps ? "if true" : "if false"
            case .data: return "data"
            case .body: return "for each item"
            case .dependsOn: return edge.trigger == .completed ? "DependsOn" : "DependsOn (\(edge.trigger.rawValue))"
            }
        }
        switch format {
        case .mermaid:
            var out = "flowchart TD\n"
            for step in pipeline.steps {
                let shape = step.type == .condition ? ("{\"", "\"}") : step.type == .fail ? ("([\"", "\"])") : ("[\"", "\"]")
                out += "  \(ids[step.index])\(shape.0)\(label(step))\(shape.1)\n"
            }
            for edges in graph.successors {
                for edge in edges {
                    let arrow = edge.kind == .dependsOn ? "-.->" : "-->"
                    out += "  \(ids[edge.from]) \(arrow)|\(edgeLabel(edge))\(taken(edge))| \(ids[edge.to])\n"
                }
            }
            if execution != nil {
                out += "  classDef Succeeded fill:#d4f7d4,stroke:#2a7a2a\n  classDef Failed fill:#f9d0d0,stroke:#a33\n"
                out += "  classDef Skipped fill:#eeeeee,stroke:#999,color:#777\n  classDef NotRun fill:#eeeeee,stroke:#999,color:#777\n"
                for step in pipeline.steps {
                    if let record = records[step.name] { out += "  class \(ids[step.index]) \(record.status.rawValue)\n" }
                }
            }
            return out
        case .dot:
            var out = "digraph pipeline {\n  rankdir=TB;\n  node [shape=box];\n"
            for step in pipeline.steps {
                let shape = step.type == .condition ? " shape=diamond" : step.type == .fail ? " shape=octagon" : ""
                let colours = ["Succeeded": "#d4f7d4", "Failed": "#f9d0d0", "Skipped": "#eeeeee", "NotRun": "#eeeeee"]
                let fill = records[step.name].flatMap { colours[$0.status.rawValue] }.map { " style=filled fillcolor=\"\($0)\"" } ?? ""
                out += "  \(ids[step.index]) [label=\(CanonicalJSON.quoted(label(step)))\(shape)\(fill)];\n"
            }
            for edges in graph.successors {
                for edge in edges {
                    let style = edge.kind == .dependsOn ? " style=dashed" : ""
                    out +=
                        "  \(ids[edge.from]) -> \(ids[edge.to]) [label=\(CanonicalJSON.quoted(edgeLabel(edge) + taken(edge)))\(style)];\n"
                }
            }
            return out + "}\n"
        }
    }
}
