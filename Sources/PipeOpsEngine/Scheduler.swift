import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Which steps of one scope may start, given how the steps they wait for ended.
///
/// A scope is the top level of a pipeline or one ForEach body (body steps run inside their
/// ForEach step, once per item, and are scheduled by it). The scheduler knows nothing of
/// threads or processes: the engine reports what finished and starts what it is told.
///
/// A step runs when every step it waits for ended the way it needs: succeeded, or, for a
/// DependsOn entry with a Trigger (SDK v3 StepDependency), failed, stopped or any of them.
/// A step in a Condition branch runs only when the Condition took its branch. Otherwise it
/// is settled without running: Skipped (an untaken branch, an unmet trigger, a skipped
/// predecessor) or NotRun (a predecessor failed or did not run).
struct Scheduler {
    /// How a finished step ended, as far as the steps after it care.
    enum Outcome: Equatable {
        case succeeded(conditionOutcome: Bool?)
        case failed, stopped, skipped, notRun
    }

    enum Settlement: Equatable {
        case run(Int)
        case skip(Int, reason: String)
        case notRun(Int, reason: String)
    }

    let pipeline: Pipeline
    let graph: DependencyGraph
    /// The steps of this scope, in document order.
    let members: [Int]
    private var remaining: [Int: Int] = [:]
    private var outcomes: [Int: Outcome] = [:]

    init(pipeline: Pipeline, graph: DependencyGraph, scope: Int?) {
        self.pipeline = pipeline
        self.graph = graph
        members = pipeline.steps.indices.filter { pipeline.steps[$0].forEachParent == scope }
        let inScope = Set(members)
        for member in members { remaining[member] = graph.predecessors[member].filter { inScope.contains($0.from) }.count }
    }

    /// The steps that can start before anything has run.
    func initial() -> [Int] { members.filter { remaining[$0] == 0 } }

    /// Records how `index` ended and settles every successor whose last predecessor this was.
    /// Successors settled without running are recorded in turn, so their own successors settle too.
    mutating func finish(_ index: Int, _ outcome: Outcome) -> [Settlement] {
        var settlements: [Settlement] = []
        var queue: [(Int, Outcome)] = [(index, outcome)]
        while !queue.isEmpty {
            let (step, result) = queue.removeFirst()
            outcomes[step] = result
            for edge in graph.successors[step] where remaining[edge.to] != nil {
                remaining[edge.to]! -= 1
                guard remaining[edge.to] == 0, outcomes[edge.to] == nil else { continue }
                let settlement = settle(edge.to)
                settlements.append(settlement)
                switch settlement {
                case .run: break
                case .skip(let next, _): queue.append((next, .skipped))
                case .notRun(let next, _): queue.append((next, .notRun))
                }
            }
        }
        return settlements
    }

    /// Whether a step whose predecessors have all ended runs, and if not, why.
    func settle(_ index: Int) -> Settlement {
        let step = pipeline.steps[index]
        var checked = Set<Int>()
        for edge in graph.predecessors[index] where remaining[edge.from] != nil && checked.insert(edge.from).inserted {
            guard let result = outcomes[edge.from] else { continue }
            let name = pipeline.steps[edge.from].name
            // A DependsOn trigger from this predecessor decides for every edge from it: a step
            // that runs when another fails may also read the failed step's properties.
            let trigger = step.dependsOn.first { $0.name == name && $0.trigger != .completed }?.trigger ?? .completed
            switch result {
            case .skipped: return .skip(index, reason: "step '\(name)' was skipped")
            case .notRun: return .notRun(index, reason: "step '\(name)' did not run")
            case .succeeded where trigger == .completed || trigger == .any: continue
            case .failed where trigger == .failed || trigger == .any: continue
            case .stopped where trigger == .stopped || trigger == .any: continue
            case .failed, .stopped:
                if trigger == .completed { return .notRun(index, reason: "step '\(name)' \(result == .failed ? "failed" : "was stopped")") }
                return .skip(
                    index,
                    reason: "runs only when step '\(name)' \(Self.phrase(trigger)); it \(result == .failed ? "failed" : "was stopped")")
            case .succeeded:
                return .skip(index, reason: "runs only when step '\(name)' \(Self.phrase(trigger)); it succeeded")
            }
        }
        if let membership = step.membership, case .succeeded(let outcome?)? = outcomes[membership.condition], outcome != membership.outcome
        {
            let condition = pipeline.steps[membership.condition].name
            return .skip(
                index, reason: "Condition '\(condition)' was \(outcome ? "true" : "false"), so \(membership.branch.rawValue) did not run")
        }
        return .run(index)
    }

    static func phrase(_ trigger: Dependency.Trigger) -> String {
        switch trigger {
        case .completed: return "succeeds"
        case .failed: return "fails"
        case .stopped: return "is stopped"
        case .any: return "ends"
        }
    }
}
