import PipeOpsModel

/// The steps of a pipeline and why each depends on another.
///
/// Edges point from the step that must finish first to the step that waits for it, and carry
/// the kind of dependency so cycles and diagnostics can say *why* two steps are linked.
public struct DependencyGraph: Sendable {
    public enum EdgeKind: String, Sendable, Comparable {
        /// Listed in `DependsOn`.
        case dependsOn = "DependsOn"
        /// A `Get`/`Std:JsonGet` of the other step's properties.
        case data = "data"
        /// The step sits in a branch of the Condition step.
        case branch = "branch"
        /// The step is in the ForEach step's body (it runs inside it, once per item).
        case body = "body"

        public static func < (lhs: EdgeKind, rhs: EdgeKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Edge: Hashable, Sendable {
        public var from: Int
        public var to: Int
        public var kind: EdgeKind
        /// For DependsOn edges: the upstream outcome that lets `to` run (SDK v3 StepDependency).
        public var trigger: Dependency.Trigger = .completed
    }

    public let stepCount: Int
    /// Successors of each step (deduplicated per kind, in first-seen order).
    public let successors: [[Edge]]
    /// Predecessors of each step.
    public let predecessors: [[Edge]]

    public init(pipeline: Pipeline) {
        let count = pipeline.steps.count
        var successors = [[Edge]](repeating: [], count: count)
        var predecessors = [[Edge]](repeating: [], count: count)
        var seen = Set<Edge>()
        func add(_ from: Int, _ to: Int, _ kind: EdgeKind, trigger: Dependency.Trigger = .completed) {
            let edge = Edge(from: from, to: to, kind: kind, trigger: trigger)
            guard seen.insert(edge).inserted else { return }
            successors[from].append(edge)
            predecessors[to].append(edge)
        }
        /// A dependency between steps in different scopes is one between the ForEach steps that
        /// hold them: a body step runs inside its ForEach, so what it needs from outside, its
        /// ForEach needs first (and what reads a body step from outside waits for the ForEach).
        func link(_ from: Int, _ to: Int, _ kind: EdgeKind, trigger: Dependency.Trigger = .completed) {
            let scopeFrom = pipeline.steps[from].forEachParent
            let scopeTo = pipeline.steps[to].forEachParent
            if scopeFrom == scopeTo { return add(from, to, kind, trigger: trigger) }
            add(scopeFrom ?? from, scopeTo ?? to, kind, trigger: trigger)
        }
        for step in pipeline.steps {
            // A duplicate name belongs to the first step with it; the duplicate rule reports the rest.
            if let membership = step.membership { add(membership.condition, step.index, .branch) }
            if let parent = step.forEachParent { add(parent, step.index, .body) }
            for dependency in step.dependsOn {
                if let from = pipeline.stepIndex[dependency.name] { link(from, step.index, .dependsOn, trigger: dependency.trigger) }
            }
            step.forEachReference { reference, _ in
                if let name = reference.stepName, let from = pipeline.stepIndex[name] { link(from, step.index, .data) }
            }
        }
        stepCount = count
        self.successors = successors
        self.predecessors = predecessors
    }

    /// A cycle as the steps on it, first step repeated at the end, with the edge kind taken at each hop.
    public struct Cycle: Sendable, Equatable {
        public var steps: [Int]
        public var kinds: [EdgeKind]
    }

    /// Steps in an order that respects every edge (Kahn's algorithm, ties in document order),
    /// or the cycles that make such an order impossible.
    public func topologicalOrder() -> Result<[Int], CyclesError> {
        var indegree = predecessors.map(\.count)
        var ready = (0..<stepCount).filter { indegree[$0] == 0 }.reversed() as [Int]
        var order: [Int] = []
        order.reserveCapacity(stepCount)
        while let next = ready.popLast() {
            order.append(next)
            // Keep document order among ready steps: push in reverse.
            var released: [Int] = []
            for edge in successors[next] {
                indegree[edge.to] -= 1
                if indegree[edge.to] == 0 { released.append(edge.to) }
            }
            ready.append(contentsOf: released.sorted(by: >))
        }
        if order.count == stepCount { return .success(order) }
        return .failure(CyclesError(cycles: cycles()))
    }

    public struct CyclesError: Error, Sendable { public var cycles: [Cycle] }

    /// One representative cycle per strongly connected component that has one (iterative
    /// Tarjan, so a 50,000-step chain cannot overflow the stack).
    public func cycles() -> [Cycle] {
        var index = [Int](repeating: -1, count: stepCount)
        var lowlink = [Int](repeating: 0, count: stepCount)
        var onStack = [Bool](repeating: false, count: stepCount)
        var stack: [Int] = []
        var next = 0
        var components: [[Int]] = []
        for start in 0..<stepCount where index[start] < 0 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            index[start] = next
            lowlink[start] = next
            next += 1
            stack.append(start)
            onStack[start] = true
            while !work.isEmpty {
                let (node, edgeIndex) = work[work.count - 1]
                if edgeIndex < successors[node].count {
                    work[work.count - 1].edge += 1
                    let target = successors[node][edgeIndex].to
                    if index[target] < 0 {
                        index[target] = next
                        lowlink[target] = next
                        next += 1
                        stack.append(target)
                        onStack[target] = true
                        work.append((target, 0))
                    } else if onStack[target] {
                        lowlink[node] = min(lowlink[node], index[target])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { lowlink[parent.node] = min(lowlink[parent.node], lowlink[node]) }
                    if lowlink[node] == index[node] {
                        var component: [Int] = []
                        while let top = stack.popLast() {
                            onStack[top] = false
                            component.append(top)
                            if top == node { break }
                        }
                        let selfLoop = successors[node].contains { $0.to == node }
                        if component.count > 1 || selfLoop { components.append(component) }
                    }
                }
            }
        }
        return components.map { cycle(in: Set($0)) }.sorted { $0.steps.first ?? 0 < $1.steps.first ?? 0 }
    }

    /// The shortest cycle through the component's first step (BFS inside the component).
    private func cycle(in component: Set<Int>) -> Cycle {
        let start = component.min()!
        var previous: [Int: Edge] = [:]
        var queue = [start]
        var head = 0
        var closing: Edge?
        search: while head < queue.count {
            let node = queue[head]
            head += 1
            for edge in successors[node] where component.contains(edge.to) {
                if edge.to == start {
                    closing = edge
                    break search
                }
                if previous[edge.to] == nil && edge.to != start {
                    previous[edge.to] = edge
                    queue.append(edge.to)
                }
            }
        }
        var edges: [Edge] = []
        if let closing {
            edges.append(closing)
            var node = closing.from
            while node != start, let edge = previous[node] {
                edges.append(edge)
                node = edge.from
            }
        }
        edges.reverse()
        return Cycle(steps: [start] + edges.map(\.to), kinds: edges.map(\.kind))
    }

    /// For each step, the Condition outcomes it needs: the branch it sits in plus everything its
    /// predecessors need. A step needing both outcomes of one Condition can never run.
    public func requiredOutcomes(pipeline: Pipeline, order: [Int]) -> [[Int: Set<Bool>]] {
        var required = [[Int: Set<Bool>]](repeating: [:], count: stepCount)
        for step in order {
            var needs: [Int: Set<Bool>] = [:]
            if let membership = pipeline.steps[step].membership {
                needs[membership.condition, default: []].insert(membership.outcome)
            }
            for edge in predecessors[step] {
                for (condition, outcomes) in required[edge.from] { needs[condition, default: []].formUnion(outcomes) }
            }
            required[step] = needs
        }
        return required
    }

    /// Renders the cycle as `A -> B -> A (A->B: DependsOn, B->A: data)`.
    public func describe(_ cycle: Cycle, pipeline: Pipeline) -> String {
        let names = cycle.steps.map { pipeline.steps[$0].name }
        let hops = cycle.kinds.enumerated().map { i, kind in "\(names[i])->\(names[i + 1]): \(kind.rawValue)" }
        return names.joined(separator: " -> ") + " (" + hops.joined(separator: ", ") + ")"
    }
}

extension DependencyGraph {
    /// Every step reachable from `index` along any edge (not `index` itself).
    public func descendants(of index: Int) -> Set<Int> { reachable(from: index) { successors[$0].map(\.to) } }

    /// Every step `index` waits for, directly or not (not `index` itself).
    public func ancestors(of index: Int) -> Set<Int> { reachable(from: index) { predecessors[$0].map(\.from) } }

    private func reachable(from index: Int, _ next: (Int) -> [Int]) -> Set<Int> {
        var seen: Set<Int> = []
        var stack = next(index)
        while let step = stack.popLast() {
            guard seen.insert(step).inserted else { continue }
            stack += next(step)
        }
        return seen
    }

    /// Steps on a path between two selected steps that are not selected themselves (the
    /// service's rule for SelectiveExecutionConfig: such a selection is refused).
    public func closureGaps(_ selected: Set<Int>) -> Set<Int> {
        var gaps: Set<Int> = []
        for a in selected {
            let below = descendants(of: a)
            for b in selected where below.contains(b) {
                gaps.formUnion(below.intersection(ancestors(of: b)).subtracting(selected))
            }
        }
        return gaps
    }
}

extension DependencyGraph {
    /// The waves the scheduler runs: a step runs in the wave after the latest step it depends on.
    public static func waves(_ pipeline: Pipeline) -> [[Step]]? {
        let graph = DependencyGraph(pipeline: pipeline)
        guard case .success(let order) = graph.topologicalOrder() else { return nil }
        var level = [Int](repeating: 0, count: pipeline.steps.count)
        for index in order {
            for edge in graph.successors[index] { level[edge.to] = max(level[edge.to], level[index] + 1) }
        }
        var waves: [[Step]] = []
        for step in pipeline.steps where step.forEachParent == nil {
            while waves.count <= level[step.index] { waves.append([]) }
            waves[level[step.index]].append(step)
        }
        return waves.filter { !$0.isEmpty }
    }
}
