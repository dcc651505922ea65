/// `pipeops graph` output: the dependency graph as Mermaid or Graphviz dot.
public enum GraphRenderer {
    public enum Format: String, CaseIterable, Sendable { case mermaid, dot }

    public static func render(_ pipeline: Pipeline, as format: Format) -> String {
        let graph = DependencyGraph(pipeline: pipeline)
        let ids = pipeline.steps.map { "s\($0.index)" }
        func label(_ step: Step) -> String {
            "\(step.name) (\(step.type?.rawValue ?? "?"))".replacingOccurrences(of: "\"", with: "'")
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
                    out += "  \(ids[edge.from]) \(arrow)|\(edgeLabel(edge))| \(ids[edge.to])\n"
                }
            }
            return out
        case .dot:
            var out = "digraph pipeline {\n  rankdir=TB;\n  node [shape=box];\n"
            for step in pipeline.steps {
                let shape = step.type == .condition ? " shape=diamond" : step.type == .fail ? " shape=octagon" : ""
                out += "  \(ids[step.index]) [label=\(CanonicalJSON.quoted(label(step)))\(shape)];\n"
            }
            for edges in graph.successors {
                for edge in edges {
                    let style = edge.kind == .dependsOn ? " style=dashed" : ""
                    out += "  \(ids[edge.from]) -> \(ids[edge.to]) [label=\(CanonicalJSON.quoted(edgeLabel(edge)))\(style)];\n"
                }
            }
            return out + "}\n"
        }
    }
}
