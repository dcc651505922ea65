import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsAnalysis
@testable import PipeOpsModel

@Suite struct GraphTests {
    func pipeline(_ yaml: String) throws -> Pipeline {
        Pipeline(document: try DocumentLoader.parse(data: Data(yaml.utf8), path: "g.yaml"))
    }

    static let lambda = "Type: Lambda, FunctionArn: \"arn:aws:lambda:us-east-1:111111111111:function:f\""

    @Test func cycleThroughDependsOnAndDataReferenceIsReportedWithEdgeKinds() throws {
        let p = try pipeline(
            """
            Version: "2020-12-01"
            Steps:
              - { Name: A, \(Self.lambda), DependsOn: [C], OutputParameters: [ { OutputName: o } ], Arguments: {} }
              - { Name: B, \(Self.lambda), OutputParameters: [ { OutputName: o } ], Arguments: { x: { Get: "Steps.A.OutputParameters['o']" } } }
              - { Name: C, \(Self.lambda), DependsOn: [B], Arguments: {} }
              - { Name: D, \(Self.lambda), Arguments: {} }
            """)
        let graph = DependencyGraph(pipeline: p)
        guard case .failure(let error) = graph.topologicalOrder() else {
            Issue.record("a cyclic graph was ordered")
            return
        }
        #expect(error.cycles.count == 1)
        let text = graph.describe(error.cycles[0], pipeline: p)
        #expect(text == "A -> B -> C -> A (A->B: data, B->C: DependsOn, C->A: DependsOn)")
        let findings = Linter().lint(definition: p.document).filter { $0.rule == "cycle" }
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("A -> B -> C -> A") == true)
    }

    @Test func selfDependencyIsACycle() throws {
        let p = try pipeline("Version: \"2020-12-01\"\nSteps:\n  - { Name: A, \(Self.lambda), DependsOn: [A], Arguments: {} }\n")
        let cycles = DependencyGraph(pipeline: p).cycles()
        #expect(cycles.count == 1)
        #expect(cycles.first?.steps == [0, 0])
    }

    @Test func orderKeepsDocumentOrderAmongReadySteps() throws {
        let p = try pipeline(
            """
            Version: "2020-12-01"
            Steps:
              - { Name: Z, \(Self.lambda), DependsOn: [Y], Arguments: {} }
              - { Name: Y, \(Self.lambda), Arguments: {} }
              - { Name: X, \(Self.lambda), Arguments: {} }
            """)
        let order = try DependencyGraph(pipeline: p).topologicalOrder().get().map { p.steps[$0].name }
        #expect(order == ["Y", "Z", "X"])
    }

    @Test func branchStepsDependOnTheirCondition() throws {
        let p = try pipeline(
            """
            Version: "2020-12-01"
            Steps:
              - Name: C
                Type: Condition
                Arguments:
                  Conditions: [ { Type: Equals, LeftValue: 1, RightValue: 1 } ]
                  IfSteps: [ { Name: T, \(Self.lambda), Arguments: {} } ]
                  ElseSteps: [ { Name: F, Type: Fail, Arguments: { ErrorMessage: no } } ]
            """)
        let graph = DependencyGraph(pipeline: p)
        #expect(graph.successors[0].map(\.kind) == [.branch, .branch])
        #expect(p.steps.map(\.name) == ["C", "T", "F"])
    }

    @Test func tenThousandStepChainNeitherRecursesNorSlowsDown() throws {
        var yaml = "Version: \"2020-12-01\"\nSteps:\n  - { Name: S0, \(Self.lambda), Arguments: {} }\n"
        for i in 1..<10_000 { yaml += "  - { Name: S\(i), \(Self.lambda), DependsOn: [S\(i - 1)], Arguments: {} }\n" }
        yaml += "  - { Name: Loop, \(Self.lambda), DependsOn: [S9999], Arguments: {} }\n"
        let p = try pipeline(yaml)
        let order = try DependencyGraph(pipeline: p).topologicalOrder().get()
        #expect(order.count == 10_001)
        #expect(order.first == 0)
    }

    @Test func suppressionsSilenceOneRuleForOneStep() throws {
        let yaml = """
            Version: "2020-12-01"
            Steps:
              - Name: A
                Type: Training
                CacheConfig: { Enabled: true }  # pipeops: disable=cache-without-expiry
                Arguments: {}
              - Name: B
                Type: Training
                CacheConfig: { Enabled: true }
                Arguments: {}
            """
        let findings = lintDefinition(yaml).filter { $0.rule == "cache-without-expiry" }
        #expect(findings.map(\.step) == ["B"])
        let manifestOff = lintDefinition(yaml, options: LintOptions(disabledForStep: ["B": ["cache-without-expiry"]]))
        #expect(manifestOff.filter { $0.rule == "cache-without-expiry" }.map(\.step) == [])
        let globalOff = lintDefinition(yaml, options: LintOptions(disabled: ["cache-without-expiry"]))
        #expect(!globalOff.contains { $0.rule == "cache-without-expiry" })
    }
}
