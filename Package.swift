// swift-tools-version:6.0
import PackageDescription

// Linux only: the step sandbox uses Linux mount namespaces (pipeops-sandbox), the shims read
// /proc, and CI and the release artifact are Linux. No `platforms:` entry claims otherwise.
let package = Package(
    name: "pipeops",
    products: [
        .executable(name: "pipeops", targets: ["pipeops"]),
        .executable(name: "pipeops-sandbox", targets: ["pipeops-sandbox"]),
        .library(name: "PipeOpsKit", targets: ["PipeOpsKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // HTTP through libcurl, loaded with dlopen on the first request (Sources/CHTTP): a blocking
        // easy handle with stall and time limits, instead of FoundationNetworking (which spins a
        // core on a stalled connection and loads libcurl's tree at every start-up).
        .target(name: "CHTTP", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "PipeOpsKit",
            dependencies: [
                "CLibGit2",
                "CHTTP",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "pipeops",
            dependencies: [
                "PipeOpsKit",
                "pipeops-sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A tiny C helper that enters a private mount namespace with the step's sandbox at
        // /opt/ml and execs the step (one exec instead of unshare + sh + mount).
        .executableTarget(name: "pipeops-sandbox"),
        .testTarget(
            name: "PipeOpsKitTests",
            dependencies: ["PipeOpsKit"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "pipeopsCLITests",
            dependencies: ["PipeOpsKit"]
        ),
    ]
)

// The libFuzzer target exists only for scripts/fuzz.sh (PIPEOPS_FUZZ=1 and -sanitize=fuzzer,
// which supplies main): a normal build never sees it.
if Context.environment["PIPEOPS_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "pipeops-fuzz", dependencies: ["PipeOpsKit"], path: "Fuzz/pipeops-fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "pipeops-fuzz", targets: ["pipeops-fuzz"]))
}
