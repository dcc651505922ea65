import Foundation
import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// Runs a ForEach step (SDK v3): its body once per item of IterableItems, at most
/// MaxConcurrency iterations at a time. Each iteration schedules the body's steps with the same
/// `Scheduler` and runs them with the same `StepExecutor` as top-level steps, as children named
/// `<BodyStep>-<index>`; `ForEach.CurrentItem` is the iteration's item, and a body step's
/// `Steps.<Sibling>` reads the sibling of the same iteration.
///
/// Choices where the service's behaviour is undocumented (README "ForEach"): every iteration
/// runs to its end even when another fails; the ForEach step fails when any child failed, and
/// its properties are still recorded. Items that are JSON-object strings are parsed when a body
/// reads a field of them (`ForEach.CurrentItem.region`).
struct ForEachExecutor {
    struct Outcome {
        var result: StepExecutor.Result
        var children: [StepRecord]
    }

    let engine: LocalEngine
    let step: Step
    let context: RuntimeContext

    private struct Iteration {
        var children: [StepRecord] = []
        var properties: [String: Node] = [:]
    }

    func run() -> Outcome {
        let items: [Node]
        let limit: Int
        do throws(EvaluationError) {
            items = try resolveItems()
            let concurrency = try Evaluator.resolve(step.arguments?["MaxConcurrency"] ?? Node(.integer(1)), context)
            guard let value = concurrency.int, (1...50).contains(value) else {
                throw EvaluationError("MaxConcurrency must be a whole number 1–50, not \(concurrency.brief)")
            }
            limit = value
        } catch {
            return Outcome(
                result: .init(outcome: .failure(StepFailure(message: error.message, exceptionType: nil)), attempts: 1), children: [])
        }
        let board = Board(count: items.count)
        let group = DispatchGroup()
        for _ in 0..<min(limit, items.count) {
            group.enter()
            let worker = Thread {
                while let index = board.take(unless: engine.isInterrupted) {
                    board.store(runIteration(index, item: items[index]), at: index)
                }
                group.leave()
            }
            worker.stackSize = 4 << 20
            worker.start()
        }
        group.wait()
        return summarize(board.results(), items: items)
    }

    /// Hands iterations to workers and collects their results.
    private final class Board: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var iterations: [Iteration]

        init(count: Int) { iterations = [Iteration](repeating: Iteration(), count: count) }

        func take(unless stopped: Bool) -> Int? {
            lock.withLock {
                guard next < iterations.count, !stopped else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func store(_ iteration: Iteration, at index: Int) { lock.withLock { iterations[index] = iteration } }

        func results() -> [Iteration] { lock.withLock { iterations } }
    }

    /// IterableItems: a literal list (each entry may be an expression), or an expression that
    /// yields a JSON list (a parameter, a step property or an output parameter).
    private func resolveItems() throws(EvaluationError) -> [Node] {
        guard let source = step.arguments?["IterableItems"] else { throw EvaluationError("the ForEach step has no IterableItems") }
        if let elements = source.elements {
            var items: [Node] = []
            for element in elements { items.append(try Evaluator.resolve(element, context)) }
            return items
        }
        let value = try Evaluator.resolve(source, context)
        if let elements = value.elements { return elements }
        guard let text = value.string,
            let parsed = try? DocumentLoader.parse(data: Data(text.utf8), path: "IterableItems", syntax: .json).root,
            let elements = parsed.elements
        else {
            throw EvaluationError("IterableItems resolved to \(value.brief), which is not a JSON list such as [\"a\", \"b\"]")
        }
        return elements
    }

    private func runIteration(_ index: Int, item: Node) -> Iteration {
        var iteration = Iteration()
        var scheduler = Scheduler(pipeline: engine.pipeline, graph: engine.graph, scope: step.index)
        var ready = scheduler.initial()
        let executor = engine.makeExecutor()
        let outer = context.properties
        while !ready.isEmpty {
            let bodyIndex = ready.removeFirst()
            let body = engine.pipeline.steps[bodyIndex]
            let name = "\(body.name)-\(index)"
            let siblings = iteration.properties
            var bodyContext = context
            bodyContext.currentItem = item
            bodyContext.stepType = body.type
            bodyContext.jobName = LocalEngine.jobName(step: name, execution: context.executionId)
            bodyContext.properties = { siblings[$0] ?? outer($0) }
            let started = Date()
            var child = StepRecord(
                name: name, type: body.type?.rawValue ?? "?", status: .executing, startedAt: Timestamp.string(started),
                attempts: 0)
            let result =
                engine.isInterrupted
                ? StepExecutor.Result(
                    outcome: .failure(StepFailure(message: "the execution was interrupted", exceptionType: nil)), attempts: 0)
                : executor.run(body, as: name, context: bodyContext)
            child.endedAt = Timestamp.string(Date())
            child.durationSeconds = Date().timeIntervalSince(started)
            child.attempts = result.attempts
            child.cacheHit = result.cacheHit
            child.stdoutLog = result.logs?.stdout
            child.stderrLog = result.logs?.stderr
            let outcome: Scheduler.Outcome
            switch result.outcome {
            case .success(let properties):
                child.status = .succeeded
                child.properties = properties
                iteration.properties[body.name] = properties
                outcome = .succeeded(conditionOutcome: nil)
            case .failure(let failure):
                child.status = .failed
                child.failureReason = failure.message
                outcome = .failed
            }
            iteration.children.append(child)
            executor.emit(.stepFinished(child))
            for settlement in scheduler.finish(bodyIndex, outcome) {
                switch settlement {
                case .run(let next): ready.append(next)
                case .skip(let next, let reason), .notRun(let next, let reason):
                    let skipped = engine.pipeline.steps[next]
                    var entry = StepRecord(
                        name: "\(skipped.name)-\(index)", type: skipped.type?.rawValue ?? "?", status: .notRun, attempts: 0)
                    if case .skip = settlement { entry.status = .skipped }
                    entry.reason = reason
                    iteration.children.append(entry)
                    executor.emit(.stepFinished(entry))
                }
            }
        }
        return iteration
    }

    /// The ForEach step's properties: aggregates, IterationOutputs[i].<BodyStep> and Selected.
    private func summarize(_ iterations: [Iteration], items: [Node]) -> Outcome {
        let children = iterations.flatMap(\.children)
        let failed = children.filter { $0.status == .failed }
        let succeeded = children.filter { $0.status == .succeeded }.count
        var members: [Node.Member] = [
            member("Status", .string(failed.isEmpty ? "Succeeded" : "Failed")),
            member("InputItemCount", .integer(items.count)),
            member("TotalStepCount", .integer(children.count)),
            member("SucceededStepCount", .integer(succeeded)),
            member("FailedStepCount", .integer(failed.count)),
            member("StoppedStepCount", .integer(0)),
            member(
                "IterationOutputs",
                .array(
                    iterations.map { iteration in
                        Node(.object(iteration.properties.keys.sorted().map { member($0, iteration.properties[$0]!.value) }))
                    })),
        ]
        var selectorProblem: String?
        if failed.isEmpty, let selector = step.arguments?["Selector"] {
            switch select(selector, iterations) {
            case .success(let selected): members.append(member("Selected", selected.value))
            case .failure(let error): selectorProblem = error.message
            }
        }
        let properties = Node(.object(members))
        if let selectorProblem {
            return Outcome(
                result: .init(outcome: .failure(StepFailure(message: selectorProblem, exceptionType: nil)), attempts: 1), children: children
            )
        }
        guard failed.isEmpty else {
            let names = failed.prefix(5).map { "\($0.name) (\($0.failureReason ?? "failed"))" }.joined(separator: "; ")
            let message = "\(failed.count) of \(children.count) child steps failed: \(names)\(failed.count > 5 ? "; …" : "")"
            return Outcome(
                result: .init(outcome: .failure(StepFailure(message: message, exceptionType: nil)), attempts: 1), children: children)
        }
        return Outcome(result: .init(outcome: .success(properties), attempts: 1), children: children)
    }

    /// The Selector picks one iteration by comparing `Field` (an IterationOutput reference) across
    /// iterations, MaxBy or MinBy; the first of equal values wins. Selected is that iteration's
    /// output of the body step the field reads.
    private func select(_ selector: Node, _ iterations: [Iteration]) -> Result<Node, EvaluationError> {
        guard let field = selector["Field"], case .get(.iterationOutput(let body, _), _) = Expression.parse(field) else {
            return .failure(EvaluationError("Selector.Field must be an IterationOutput reference"))
        }
        let maximize = selector["Pick"]?.string != "MinBy"
        var best: (index: Int, value: Double)?
        for (index, iteration) in iterations.enumerated() {
            var selectorContext = context
            selectorContext.iterationProperties = iteration.properties
            let value: Node
            do { value = try Evaluator.resolve(field, selectorContext) } catch { return .failure(error) }
            guard let number = value.double ?? value.string.flatMap(Double.init), number.isFinite else {
                return .failure(
                    EvaluationError("Selector.Field is \(value.brief) in iteration \(index), not a number MaxBy/MinBy can compare"))
            }
            if best == nil || (maximize ? number > best!.value : number < best!.value) { best = (index, number) }
        }
        guard let best, let selected = iterations[best.index].properties[body] else {
            return .failure(EvaluationError("the Selector found no iteration of '\(body)' to select"))
        }
        return .success(selected)
    }
}
