import PipeOpsAnalysis
import PipeOpsEngine
import PipeOpsModel
import PipeOpsWorkspace

/// A semantic version (semver.org 2.0.0): MAJOR.MINOR.PATCH[-prerelease][+build].
public struct SemanticVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: [String]
    public var build: [String]

    public init(major: Int, minor: Int, patch: Int, prerelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    public init?(_ text: String) {
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<plus]
            guard build.allSatisfy(SemanticVersion.isIdentifier) else { return nil }
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<dash]
            guard prerelease.allSatisfy({ SemanticVersion.isIdentifier($0) && !SemanticVersion.hasLeadingZero($0) }) else { return nil }
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3,
            numbers.allSatisfy({
                !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && !SemanticVersion.hasLeadingZero(String($0))
            }),
            let major = Int(numbers[0]), let minor = Int(numbers[1]), let patch = Int(numbers[2])
        else { return nil }
        self.init(major: major, minor: minor, patch: patch, prerelease: prerelease, build: build)
    }

    private static func isIdentifier(_ part: String) -> Bool {
        !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private static func hasLeadingZero(_ part: String) -> Bool {
        part.count > 1 && part.hasPrefix("0") && part.allSatisfy(\.isNumber)
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    public enum Bump: String, Sendable, CaseIterable { case major, minor, patch }

    public func bumped(_ bump: Bump) -> SemanticVersion {
        switch bump {
        case .major: return SemanticVersion(major: major + 1, minor: 0, patch: 0)
        case .minor: return SemanticVersion(major: major, minor: minor + 1, patch: 0)
        case .patch:
            // 1.2.3-rc.1 → 1.2.3 (the release the prerelease led to), as npm and cargo do.
            return prerelease.isEmpty
                ? SemanticVersion(major: major, minor: minor, patch: patch + 1) : SemanticVersion(major: major, minor: minor, patch: patch)
        }
    }

    /// Precedence per semver §11 (build metadata ignored).
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        if lhs.prerelease.isEmpty || rhs.prerelease.isEmpty { return !lhs.prerelease.isEmpty && rhs.prerelease.isEmpty }
        for (a, b) in zip(lhs.prerelease, rhs.prerelease) where a != b {
            switch (Int(a), Int(b)) {
            case (let x?, let y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.prerelease == rhs.prerelease
    }
}
