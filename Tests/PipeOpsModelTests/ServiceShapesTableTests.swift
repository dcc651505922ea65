import Foundation
import Synchronization
import Testing

@testable import PipeOpsModel

/// The embedded model is read from its table at start-up; the same generator embeds it as JSON
/// (the format of `lint --api-model FILE`). Both must be one model, entry for entry.
@Suite struct ServiceShapesTableTests {
    static func fromJSON() throws -> ServiceShapes { try ServiceShapes(json: Array(ServiceShapesData.json.utf8), source: "json") }

    @Test func theTableIsTheEmbeddedJSONsModelEntryForEntry() throws {
        let json = try Self.fromJSON()
        let table = ServiceShapes.shared
        #expect(table.botocoreVersion == json.botocoreVersion && table.botocoreVersion == ServiceShapesData.botocoreVersion)
        #expect(table.stepTypes == json.stepTypes && !table.stepTypes.isEmpty)
        #expect(table.patternCount == json.patternCount && table.patternCount > 0)
        #expect(table.entries.count == json.entries.count && table.entries.count > 500)
        var compared = 0
        for (mine, theirs) in zip(table.entries, json.entries) {
            #expect(mine.name == theirs.name)
            #expect(mine.shape == theirs.shape, "\(mine.name)")
            #expect(mine.limits == theirs.limits, "\(mine.name)")
            #expect(mine.pattern == theirs.pattern, "\(mine.name)")
            #expect(mine.patternIndex == theirs.patternIndex && mine.element == theirs.element, "\(mine.name)")
            #expect(Set(mine.memberNames) == Set(theirs.memberNames), "\(mine.name)")
            for member in theirs.memberNames {
                let (a, b) = (mine.member(member), theirs.member(member))
                #expect(a?.shape == b?.shape && a?.entry == b?.entry && a?.pattern == b?.pattern, "\(mine.name).\(member)")
            }
            compared += 1
        }
        #expect(compared == json.entries.count)
        // What the table escapes reads back (backslashes here; a tab in the line test below).
        #expect(table.entries.contains { $0.pattern?.contains("\\") == true })
    }

    @Test func aLineThatDoesNotReadAsTheGeneratorWritesItIsLeftOut() {
        let text =
            "9.9.9\nProcessing\tTraining\nGood\tstring\t1\t5\t[a-z]+\t-\nShort\ts\t\t\t\t2\tA\nEscaped\tstring\t\t\ta\\tb\\\\c\t2\tx\ty\n"
        let model = Array(text.utf8).withUnsafeBufferPointer { ServiceShapes(table: $0, source: "test") }
        #expect(model.botocoreVersion == "9.9.9" && model.stepTypes == ["Processing", "Training"])
        #expect(model.entries.map(\.name) == ["Good", "Escaped"])
        #expect(model["Good"] == .scalar(type: "string", allowed: nil))
        #expect(model.entry("Good")?.limits == .init(min: 1, max: 5) && model.entry("Good")?.pattern == "[a-z]+")
        #expect(model.entry("Escaped")?.pattern == "a\tb\\c" && model["Escaped"] == .scalar(type: "string", allowed: ["x", "y"]))
    }

    /// The embedded model's entries are built as they are first asked for; a table read that way
    /// is the same model as the table read whole, malformed lines and links included.
    @Test func aTableReadLazilyIsTheSameModelAsTheTableReadWhole() throws {
        let lines = [
            "9.9.9", "Processing\tTraining",
            "Alpha\ts\t\t\t\t2\tList\tList\tName\tBeta\t1\tName\t1\tName\t[A-Z].*",
            "Beta\tstring\t1\t5\t[a-z]+\t-", "Broken\ts\t\t\t\t9\tA", "List\tl\t\t\t\tBeta\t", "Short\ts",
            "Tags\tm\t\t\t\tMissing", "Zeta\tstring\t\t\ta\\tb\t2\tx\ty",
        ]
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let lazy = ServiceShapes(lazyTable: bytes, source: "lazy")
        let whole = bytes.withUnsafeBufferPointer { ServiceShapes(table: $0, source: "whole") }
        guard lazy.store.lazy != nil else {
            Issue.record("an ordered table is read lazily")
            return
        }
        #expect(lazy.botocoreVersion == "9.9.9" && lazy.stepTypes == whole.stepTypes && lazy.stepTypes == ["Processing", "Training"])
        #expect(lazy.patternCount == whole.patternCount && lazy.patternCount == 2)
        #expect(lazy.entry("Broken") == nil && lazy.entry("Short") == nil && lazy.entry("Nope") == nil && lazy.entry("") == nil)
        #expect(whole.entry("Broken") == nil && whole.entry("Short") == nil)
        #expect(lazy.entries.map(\.name) == ["Alpha", "Beta", "List", "Tags", "Zeta"])
        #expect(lazy.entries.map(\.name) == whole.entries.map(\.name))
        for name in ["Alpha", "Beta", "List", "Tags", "Zeta"] {
            let (mine, theirs) = (try #require(lazy.entry(name)), try #require(whole.entry(name)))
            #expect(mine.shape == theirs.shape && mine.limits == theirs.limits && mine.pattern == theirs.pattern, "\(name)")
            #expect(mine.patternIndex == theirs.patternIndex, "\(name)")
            #expect(lazy.entry(at: mine.element)?.name == whole.entry(at: theirs.element)?.name, "\(name)")
            for member in theirs.memberNames {
                let (a, b) = (try #require(mine.member(member)), try #require(theirs.member(member)))
                #expect(a.shape == b.shape && a.pattern == b.pattern, "\(name).\(member)")
                #expect(lazy.entry(at: a.entry)?.name == whole.entry(at: b.entry)?.name, "\(name).\(member)")
            }
        }
        let list = lazy.entry("Alpha")?.member("List").flatMap { lazy.entry(at: $0.entry) }
        #expect(list?.name == "List" && lazy.entry(at: list?.element ?? -1)?.name == "Beta")
        #expect(lazy.entry("Zeta")?.pattern == "a\tb" && lazy.entry("Alpha")?.member("Name")?.pattern == "[A-Z].*")
        #expect(lazy.entry("Tags")?.element == -1, "a map of a shape the table lacks links to none")
    }

    @Test func aTableOutOfOrderOrWithAnEscapedNameIsReadWhole() {
        for text in ["9\nP\nGood\tstring\t\t\t\t-\nAlso\tstring\t\t\t\t-", "9\nP\nA\\tB\tstring\t\t\t\t-"] {
            let model = ServiceShapes(lazyTable: Array(text.utf8), source: "test")
            guard model.store.lazy == nil else {
                Issue.record("\(text) is read whole")
                continue
            }
            #expect(!model.entries.isEmpty && model.entries.allSatisfy { model.entry($0.name) === $0 })
        }
    }

    @Test func threadsThatRaceForAnEntryAllGetTheOneStoredFirst() {
        let model = ServiceShapes(lazyTable: Array(ServiceShapesData.table.utf8), source: "race")
        let names = ["CreateProcessingJobRequest", "CreateTrainingJobRequest", "ProcessingS3Input", "TrainingJobStatus"]
        let seen = Mutex<[String: Set<ObjectIdentifier>]>([:])
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let name = names[iteration % names.count]
            guard let entry = model.entry(name) else { return }
            seen.withLock { $0[name, default: []].insert(ObjectIdentifier(entry)) }
        }
        #expect(seen.withLock { $0.keys.sorted() } == names.sorted())
        #expect(seen.withLock { $0.values.allSatisfy { $0.count == 1 } })
    }
}
