import Foundation
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
}
