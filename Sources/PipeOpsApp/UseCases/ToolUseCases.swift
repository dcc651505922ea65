import Foundation
import PipeOpsAWS
import PipeOpsModel
import PipeOpsWorkspace

/// `pipeops compile`: a Python definition compiled offline into the JSON the service takes.
public enum CompileUseCase {
    public struct Result: Sendable {
        /// The definition entry (`pipeline/definition.py`).
        public var definition: String
        /// The compiled JSON, its path and the path as shown.
        public var path: String
        public var display: String
        public var fromCache: Bool
        public var sdkVersion: String?
        public var pythonVersion: String?
        public var uploads: Int
        /// With `checkReproducible`: every field that differs between two compiles.
        public var irreproducible: [Finding]
    }

    /// One result per compiled pipeline (every pipeline of a product that lists several, unless
    /// the workspace names one); none when the definition is not Python: `notPython` says what it is.
    public static func run(force: Bool, checkReproducible: Bool, workspace: Workspace = Workspace())
        throws(PipeOpsError) -> (results: [Result], notPython: String?)
    {
        let located = try Product.locate(from: workspace.directory, anyPipeline: true)
        let all = try located.requireManifest()
        let manifests = workspace.pipeline == nil ? all.eachPipeline : [try all.selecting(workspace.pipeline)]
        var results: [Result] = []
        for manifest in manifests {
            guard let definition = manifest.definition, PythonDefinition.isPython(definition) else {
                if manifests.count == 1 { return ([], manifest.definition ?? "pipeline.definition") }
                continue
            }
            let compiled = try PythonDefinition.compile(manifest, force: force)
            let display = DisplayPath(base: located.directory)
            let findings = checkReproducible ? try PythonDefinition.checkReproducible(manifest, display: display) : []
            results.append(
                Result(
                    definition: definition, path: compiled.path, display: display(compiled.path), fromCache: compiled.fromCache,
                    sdkVersion: compiled.sdkVersion, pythonVersion: compiled.pythonVersion, uploads: compiled.uploads.count,
                    irreproducible: findings))
        }
        return (results, results.isEmpty ? "no pipeline of pipeops.yaml" : nil)
    }
}

/// `pipeops doctor --aws`: who the credentials are, and which endpoints every service resolves to.
public enum DoctorAWSUseCase {
    /// (name, value) rows: credentials (redacted), account, region, and the SageMaker, S3 and STS endpoints.
    public static func run(_ settings: AWSSettings) throws(PipeOpsError) -> [(name: String, value: String)] {
        let resolver = AWSConfigResolver(profile: settings.profile)
        let region = try resolver.region(flag: settings.region, environmentFile: nil)
        var chain = CredentialChain(resolver: resolver, region: region)
        chain.endpointOverride = settings.endpoint(service: "STS")
        let provider = try chain.provider()
        let credentials = try provider.credentials()
        let identity = try chain.callerIdentity(credentials)
        return [
            (
                "credentials",
                "\(provider.name) · key \(AWSCredentials.redact(credentials.accessKeyId))\(credentials.sessionToken == nil ? "" : " with a session token")\(provider.expiration.map { " · expire \(Timestamp.string($0))" } ?? "")"
            ),
            ("account", "\(identity.account) (\(identity.arn))"),
            ("region", region),
            (
                "sagemaker",
                (settings.endpoint(service: "SAGEMAKER") ?? AWSEndpoints.url(service: "sagemaker", region: region)).absoluteString
            ),
            ("s3", (settings.endpoint(service: "S3") ?? AWSEndpoints.url(service: "s3", region: region)).absoluteString),
            ("sts", chain.stsEndpoint.absoluteString),
        ]
    }
}
