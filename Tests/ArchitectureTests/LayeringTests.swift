import Foundation
import PipeOpsTestSupport
import Testing

/// The package's layers (README › Layout, CONTRIBUTING.md), checked against what SwiftPM says
/// the targets depend on and against every `import` in their sources: a wrong edge fails here.
@Suite struct LayeringTests {
    /// Each target and the package targets it may use. Lower layers come first; a target may use
    /// only targets listed before it, and only those named here.
    static let allowed: [(target: String, may: Set<String>)] = [
        ("PipeOpsModel", []),
        ("PipeOpsAnalysis", ["PipeOpsModel"]),
        ("PipeOpsWorkspace", ["PipeOpsModel", "PipeOpsAnalysis", "CLibGit2"]),
        ("PipeOpsEngine", ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace"]),
        ("PipeOpsAWS", ["PipeOpsModel", "CHTTP"]),
        ("PipeOpsRelease", ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine"]),
        ("PipeOpsApp", ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsAWS", "PipeOpsRelease"]),
        ("PipeOpsReporting", ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsEngine", "PipeOpsApp"]),
        // The executable: arguments in, one use case, a rendering, an exit code. No AWS client,
        // engine, git or workspace type: those reach it only as use-case results.
        ("pipeops", ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsApp", "PipeOpsReporting", "pipeops-sandbox"]),
    ]
    /// Packages from outside and who may use them.
    static let external: [String: Set<String>] = [
        "ArgumentParser": ["pipeops"],
        "Yams": ["PipeOpsModel"],
        "Crypto": ["PipeOpsModel", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsAWS", "PipeOpsRelease", "PipeOpsApp"],
    ]

    struct Target: Decodable {
        var name: String
        var type: String
        var path: String
        var sources: [String]?
        var target_dependencies: [String]?
        var product_dependencies: [String]?
    }

    static func describe() throws -> [Target] {
        // A scratch path of its own: the running `swift test` holds the lock on .build.
        let scratch = TemporaryDirectory()
        let result = try runTool(
            ["swift", "package", "--scratch-path", scratch.path, "describe", "--type", "json"], in: TestPaths.repository.path)
        try #require(result.status == 0, "swift package describe: \(result.output)")
        // SwiftPM may print warnings before the JSON.
        let json = try #require(result.output.firstIndex(of: "{").map { String(result.output[$0...]) })
        struct Package: Decodable { var targets: [Target] }
        return try JSONDecoder().decode(Package.self, from: Data(json.utf8)).targets
    }

    @Test func everyDependencyAndEveryImportFollowsTheLayers() throws {
        let targets = try Self.describe()
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
        let order = Self.allowed.map(\.target)
        for (name, may) in Self.allowed {
            let target = try #require(byName[name], "Package.swift has no target \(name)")
            let declared = Set(target.target_dependencies ?? [])
            #expect(declared.isSubset(of: may), "\(name) depends on \(declared.subtracting(may).sorted()) against the layers")
            for dependency in declared where order.contains(dependency) {
                #expect(order.firstIndex(of: dependency)! < order.firstIndex(of: name)!, "\(name) → \(dependency) points up")
            }
            for product in target.product_dependencies ?? [] {
                #expect(Self.external[product]?.contains(name) == true, "\(name) may not use \(product)")
            }
            // An import of a target not declared as a dependency compiles through a transitive
            // edge; it is refused here as if it were declared.
            let usable = declared.union(target.product_dependencies ?? [])
            let modules = Set(order + Array(Self.external.keys) + ["CLibGit2", "CHTTP"])
            for source in target.sources ?? [] {
                let text = try String(contentsOfFile: TestPaths.repository.path + "/" + target.path + "/" + source, encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let module = String(line.split(separator: " ").last!)
                    if modules.contains(module) {
                        #expect(usable.contains(module), "\(target.path)/\(source) imports \(module), which \(name) may not use")
                    }
                }
            }
        }
        // Every library target is in the table: a new target says where it sits.
        for target in targets where target.type == "library" && target.path.hasPrefix("Sources/") {
            #expect(order.contains(target.name) || ["CHTTP"].contains(target.name), "\(target.name) is not placed in a layer")
        }
    }

    /// Libraries return results and throw errors; only the executable prints, exits or parses arguments.
    @Test func librariesNeitherPrintNorExit() throws {
        let forbidden = ["print(", "exit(", "FileHandle.standardOutput", "FileHandle.standardError", "import ArgumentParser"]
        for target in try Self.describe() where target.type == "library" && target.path.hasPrefix("Sources/PipeOps") {
            for source in target.sources ?? [] {
                let text = try String(contentsOfFile: TestPaths.repository.path + "/" + target.path + "/" + source, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    // Code only: comments and string literals (a Python snippet may print) left out.
                    let code = line.trimmingCharacters(in: .whitespaces)
                        .replacingOccurrences(of: #""([^"\\]|\\.)*""#, with: "\"\"", options: .regularExpression)
                    guard !code.hasPrefix("//") else { continue }
                    // A call, not the end of a longer name (`fingerprint(`, `onExit(`).
                    for word in forbidden
                    where code.range(
                        of: (word.first!.isLetter ? "(?<![A-Za-z0-9_])" : "") + NSRegularExpression.escapedPattern(for: word),
                        options: .regularExpression) != nil
                    {
                        Issue.record("\(target.path)/\(source):\(number + 1): a library target uses \(word)")
                    }
                }
            }
        }
    }

    /// The step type is switched over in one place: its descriptor (StepKind). Anywhere else a
    /// new step type would need another edit.
    /// `switch step.type {`, `switch context.stepType {` (a bare `type` names condition and scalar types too).
    static let stepTypeSwitch = #"^switch ((\w+\.)+type|(\w+\.)*stepType)\?? *\{"#
    static let stepTypeCase =
        #"case \.(processing|training|transform|tuning|registerModel|qualityCheck|clarifyCheck|emrServerless|autoML|endpointConfig|inferenceComponent|lineage|forEach)\??[,:]"#

    @Test func noSwitchOverTheStepTypeOutsideTheDescriptors() throws {
        for target in try Self.describe() where target.path.hasPrefix("Sources/") {
            for source in target.sources ?? [] where !source.hasPrefix("Definition/StepKind") {
                let text = try String(contentsOfFile: TestPaths.repository.path + "/" + target.path + "/" + source, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.range(of: Self.stepTypeSwitch, options: .regularExpression) != nil
                        || code.range(of: Self.stepTypeCase, options: .regularExpression) != nil
                    {
                        Issue.record("\(target.path)/\(source):\(number + 1): \(code)")
                    }
                }
            }
        }
    }
}
