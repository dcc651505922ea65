/// `--image REPOSITORY@sha256:DIGEST` flags as pins (repository → digest).
public enum ImagePins {
    public static func parse(_ flags: [String]) throws(PipeOpsError) -> [String: String] {
        var pins: [String: String] = [:]
        for flag in flags {
            guard let reference = ImageReference(flag), let digest = reference.digest, ImageReference.isDigest(digest) else {
                throw .invalidArgument("--image '\(flag)' must be REPOSITORY@sha256:<64 lower-case hex digits>")
            }
            pins[reference.repository] = digest
        }
        return pins
    }
}
