// libFuzzer entry point for every parser and canonicaliser that takes untrusted text. Built only
// by scripts/fuzz.sh (PIPEOPS_FUZZ=1 adds this target; -sanitize=fuzzer,address gives it main).
// The target is chosen by PIPEOPS_FUZZ_TARGET: json, yaml, lint, expression, jsonget, duration,
// manifest, sigv4, artifacts.
import Foundation

@testable import PipeOpsAWS
@testable import PipeOpsAnalysis
@testable import PipeOpsApp
@testable import PipeOpsEngine
@testable import PipeOpsModel
@testable import PipeOpsRelease
@testable import PipeOpsReporting
@testable import PipeOpsWorkspace

enum FuzzTarget: String, CaseIterable {
    case json, yaml, lint, expression, jsonget, duration, manifest, sigv4, artifacts

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PIPEOPS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data("PIPEOPS_FUZZ_TARGET must be one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// A property file sample JsonGet paths walk.
let sample = try! DocumentLoader.parse(
    data: Data(#"{"metrics": {"accuracy": {"value": 0.9}, "list": [1, 2, {"k": "v"}]}, "name": "x"}"#.utf8), path: "s.json"
).root

let pipeline = Pipeline(
    document: try! DocumentLoader.parse(
        data: Data(
            #"{"Version": "2020-12-01", "Parameters": [{"Name": "P", "Type": "String", "DefaultValue": "d"}, {"Name": "N", "Type": "Integer", "DefaultValue": 3}], "Steps": [{"Name": "S", "Type": "Processing", "Arguments": {}, "PropertyFiles": [{"PropertyFileName": "R", "OutputName": "o", "FilePath": "r.json"}]}]}"#
                .utf8), path: "d.json"))

func fuzz(_ data: Data) {
    switch FuzzTarget.selected {
    case .json:
        if let document = try? DocumentLoader.parse(data: data, path: "f.json", syntax: .json) {
            _ = CanonicalJSON.string(document.root)
            _ = DefinitionHashes(root: document.root)
        }
    case .yaml:
        if let document = try? DocumentLoader.parse(data: data, path: "f.yaml", syntax: .yaml) { _ = CanonicalJSON.string(document.root) }
    case .lint:
        if let document = try? DocumentLoader.parse(data: data, path: "f.yaml") {
            _ = Linter().lint(definition: document)
            _ = DependencyGraph(pipeline: Pipeline(document: document)).topologicalOrder()
        }
    case .expression:
        guard let node = try? DocumentLoader.parse(data: data, path: "e.json").root else { return }
        let context = RuntimeContext(
            pipeline: pipeline, pipelineName: "p", executionId: "e", startTime: Date(timeIntervalSince1970: 0),
            parameters: ["P": Node(.string("v")), "N": Node(.integer(3))], properties: { _ in sample },
            s3: LocalS3(root: "/nonexistent-pipeops-fuzz"))
        _ = try? Evaluator.resolve(node, context)
        _ = Expression.parse(node)
    case .jsonget:
        let text = String(decoding: data, as: UTF8.self)
        if case .success(let path) = PropertyPath.parseJSONPath(text) { _ = JSONWalk.walk(sample, path) }
        if case .success(let path) = PropertyPath.parseProperty(text) {
            _ = StepProperties.resolve(path, on: pipeline.steps[0], in: pipeline)
        }
        _ = Reference.parse(text)
    case .duration:
        let text = String(decoding: data, as: UTF8.self)
        _ = CacheDuration.isValid(text)
        _ = CacheDuration.seconds(text)
    case .manifest:
        if let document = try? DocumentLoader.parse(data: data, path: "pipeops.yaml") {
            let manifest = Manifest(document: document, directory: "/nonexistent-pipeops-fuzz")
            _ = try? manifest.codeFolders()
            _ = EnvironmentFile(document: document)
            _ = Linter().lint(environment: document, named: "dev", against: pipeline)
        }
    case .sigv4:
        let text = String(decoding: data, as: UTF8.self)
        if let url = URL(string: text) {
            _ = SigV4Signer.canonicalPath(url)
            _ = SigV4Signer.canonicalQuery(url)
            _ = SigV4Signer.host(of: url)
        }
        let s3 = S3Client(region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret"))
        if let url = s3.url(bucket: "bucket", key: text) {
            _ = s3.signed(method: "PUT", url: url, headers: [], payloadSha256: "0", date: Date(timeIntervalSince1970: 0))
        }
    case .artifacts:
        let text = String(decoding: data, as: UTF8.self)
        if let reference = ImageReference(text) { _ = reference.pinned(to: "sha256:" + String(repeating: "0", count: 64)).description }
        if let document = try? DocumentLoader.parse(data: data, path: "d.json") {
            _ = try? ArtifactRewriter(folders: [], pins: ["r": "sha256:0"], display: "d.json").apply(to: document.root)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzz(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

// SwiftPM links an executable's entry point as `<module>_main`; hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("pipeops_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in LLVMFuzzerTestOneInput(bytes, size) }
}
