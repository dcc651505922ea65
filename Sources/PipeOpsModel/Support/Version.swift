/// The version pipeops reports (`--version`, SARIF, rendered descriptions).
public enum PipeOpsVersion {
    public static let current = "0.1.0"
}
