import PipeOpsAnalysis
import PipeOpsModel
import PipeOpsWorkspace

/// What a step process gets of pipeops's own environment. A SageMaker container gets none of the
/// caller's environment, and above all none of its credentials, so a local step gets only what a
/// process needs to start and find its interpreter: an allow-list, not "everything but the keys".
/// Every AWS credential source (keys, session tokens, profiles and their files, web identity,
/// container credentials and their authorization token, SSO) stays with pipeops.
enum StepEnvironment {
    static let passed: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM", "NO_COLOR",
        // A step's Python finds its packages as the developer's shell does.
        "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING",
        // Where TLS roots are on this machine.
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
        // A SageMaker container is told its region; a region is no credential.
        "AWS_REGION", "AWS_DEFAULT_REGION",
    ]
    static let passedPrefixes = ["LC_", "PIPEOPS_"]

    /// The part of `environment` a step may see.
    static func base(_ environment: [String: String]) -> [String: String] {
        environment.filter { key, _ in passed.contains(key) || passedPrefixes.contains { key.hasPrefix($0) } }
    }
}
