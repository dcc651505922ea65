import Foundation
import Testing

@testable import PipeOpsModel

/// What the structure hash counts: everything but parameter defaults and the SDK's per-build key.
@Suite struct DefinitionHashTests {
    static func definition(key: String, region: String = "us-east-1", default value: String = "0.5") throws -> Node {
        let text = """
            {"Version": "2020-12-01", "Parameters": [{"Name": "Threshold", "Type": "Float", "DefaultValue": \(value)}],
             "Steps": [{"Name": "prepare", "Type": "Training", "Arguments": {"Environment": {
                "AWS_DEFAULT_REGION": "\(region)", "REMOTE_FUNCTION_SECRET_KEY": "\(key)"}}}]}
            """
        return try DocumentLoader.parse(data: Data(text.utf8), path: "definition.json").root
    }

    @Test func aStepBuildsPublicKeyAndParameterDefaultsAreNotStructure() throws {
        let first = DefinitionHashes(
            root: try Self.definition(key: "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHAAA=\\n-----END PUBLIC KEY-----\\n"))
        let rebuilt = DefinitionHashes(
            root: try Self.definition(key: "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHBBB=\\n-----END PUBLIC KEY-----\\n", default: "0.7"))
        #expect(first.structure == rebuilt.structure, "a rebuild's fresh key and another default are one structure")
        #expect(first.content != rebuilt.content, "what is sent still differs, and content says so")
        let moved = DefinitionHashes(
            root: try Self.definition(key: "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHAAA=\\n-----END PUBLIC KEY-----\\n", region: "eu-west-1"))
        #expect(first.structure != moved.structure, "any other environment value is structure")
        let plain = DefinitionHashes(root: try Self.definition(key: "not-a-public-key"))
        let other = DefinitionHashes(root: try Self.definition(key: "another-value"))
        #expect(plain.structure != other.structure, "a variable of that name that holds no public key is structure")
    }
}
