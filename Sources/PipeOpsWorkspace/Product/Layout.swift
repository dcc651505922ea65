/// Where pipeops keeps its state inside a product: `.pipeops/` beside pipeops.yaml (gitignored),
/// in one place so no command spells a path of its own.
public enum Layout {
    /// The state folder's name.
    public static let stateFolder = ".pipeops"

    /// `<product>/.pipeops`.
    public static func state(_ productDirectory: String) -> String { productDirectory + "/" + stateFolder }
    /// Compiled Python definitions and their cache keys.
    public static func compiled(_ productDirectory: String) -> String { state(productDirectory) + "/compiled" }
    /// Objects a compile uploaded and the local engine serves (`s3://bucket/key` → `s3/bucket/key`).
    public static func s3(_ productDirectory: String) -> String { state(productDirectory) + "/s3" }
    /// Products of other commits, written from git (`releases/<commit>`).
    public static func releases(_ productDirectory: String) -> String { state(productDirectory) + "/releases" }
}
