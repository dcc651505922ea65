import Foundation
import PipeOpsTestSupport
import Testing

/// What a compile reads of the product is its cache key, found by real path: the driver resolves
/// a file's folder once and the file itself only when it is a link, so a product file reached
/// through a link from outside the product, or through a linked folder, is still part of the key.
@Suite(.serialized) struct CompileReadsTests {
    typealias Counting = PythonDefinitionTests.CountingPython

    @Test func aProductFileReadThroughLinksFromOutsideIsPartOfTheKey() throws {
        let outside = Scratch()
        let product = try CompileFidelityTests.product(
            CompileFidelityTests.header + """
                def get_pipeline(name, region, account, role, bucket):
                    with open(os.environ["PIPEOPS_TEST_LINKED_FILE"]) as handle:
                        first = handle.read().strip()
                    with open(os.path.join(os.environ["PIPEOPS_TEST_LINKED_FOLDER"], "message.txt")) as handle:
                        second = handle.read().strip()
                    stop = FailStep(name="Stop", error_message=first + " " + second)
                    return Pipeline(name=name, steps=[stop], sagemaker_session=PipelineSession())
                """,
            files: ["pipeline/conf/step.txt": "first\n", "pipeline/messages/message.txt": "one\n"])
        // A file link and a folder link outside the product, both pointing into it.
        try FileManager.default.createSymbolicLink(
            atPath: outside.path + "/step.txt", withDestinationPath: product.path + "/pipeline/conf/step.txt")
        try FileManager.default.createSymbolicLink(
            atPath: outside.path + "/messages", withDestinationPath: product.path + "/pipeline/messages")
        let python = try Counting()
        let environment = [
            "PIPEOPS_PYTHON": python.path, "PIPEOPS_TEST_LINKED_FILE": outside.path + "/step.txt",
            "PIPEOPS_TEST_LINKED_FOLDER": outside.path + "/messages",
        ]
        func compile() throws -> CLI.Result {
            try CLI.run(["compile"], in: product.path, environment: environment, unsettingPrefixes: ["AWS_"])
        }
        let first = try compile()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CompileFidelityTests.compiled(product).contains("\"first one\""))
        let key = try String(contentsOfFile: product.path + "/.pipeops/compiled/key", encoding: .utf8)
        #expect(key.contains("pipeline/conf/step.txt") && key.contains("pipeline/messages/message.txt"), "\(key)")

        product.write("pipeline/conf/step.txt", "second\n")
        let edited = try compile()
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(python.starts == 2, "the file read through the link is part of the key")
        #expect(try CompileFidelityTests.compiled(product).contains("\"second one\""))

        product.write("pipeline/messages/message.txt", "two\n")
        #expect(try compile().status == 0)
        #expect(python.starts == 3, "the file read through the linked folder is part of the key")
        #expect(try CompileFidelityTests.compiled(product).contains("\"second two\""))
    }
}
