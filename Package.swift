// swift-tools-version:6.0
import PackageDescription

// Linux only: the step sandbox uses Linux mount namespaces (pipeops-sandbox), the shims read
// /proc, and CI and the release artifact are Linux. No `platforms:` entry claims otherwise.
/// Every library target, bottom to top.
let ALL: [Target.Dependency] = [
    "PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsAWS", "PipeOpsRelease", "PipeOpsApp",
    "PipeOpsReporting",
]

let package = Package(
    name: "pipeops",
    products: [
        .executable(name: "pipeops", targets: ["pipeops"]),
        .executable(name: "pipeops-sandbox", targets: ["pipeops-sandbox"]),
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
        // The layers (CONTRIBUTING.md, README › Layout): each target depends only on targets above
        // it in this list; Tests/ArchitectureTests checks every edge and every import.
        .target(
            name: "PipeOpsModel",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "PipeOpsAnalysis", dependencies: ["PipeOpsModel"]),
        .target(
            name: "PipeOpsWorkspace",
            dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "CLibGit2", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "PipeOpsEngine",
            dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "PipeOpsAWS", dependencies: ["PipeOpsModel", "CHTTP", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "PipeOpsRelease",
            dependencies: [
                "PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "PipeOpsApp",
            dependencies: [
                "PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsAWS", "PipeOpsRelease",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "PipeOpsReporting", dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsEngine", "PipeOpsApp"]),
        .executableTarget(
            name: "pipeops",
            dependencies: [
                "PipeOpsModel", "PipeOpsAnalysis", "PipeOpsApp", "PipeOpsReporting",
                "pipeops-sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A tiny C helper that enters a private mount namespace with the step's sandbox at
        // /opt/ml and execs the step (one exec instead of unshare + sh + mount).
        .executableTarget(name: "pipeops-sandbox"),
        // Tests mirror the targets: Tests/<Target>Tests holds the suites of <Target>, using only the
        // targets below it; pipeopsCLITests drives the built binary; ArchitectureTests checks the layers.
        .target(
            name: "PipeOpsTestSupport", dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsAWS"], path: "Tests/PipeOpsTestSupport"),
        .testTarget(name: "PipeOpsModelTests", dependencies: ["PipeOpsModel", "PipeOpsTestSupport"]),
        .testTarget(name: "PipeOpsAnalysisTests", dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsTestSupport"]),
        .testTarget(
            name: "PipeOpsWorkspaceTests", dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsTestSupport"]
        ),
        .testTarget(
            name: "PipeOpsEngineTests",
            dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsTestSupport"]
        ),
        .testTarget(name: "PipeOpsAWSTests", dependencies: ["PipeOpsModel", "PipeOpsAWS", "PipeOpsTestSupport"]),
        .testTarget(
            name: "PipeOpsReleaseTests",
            dependencies: ["PipeOpsModel", "PipeOpsAnalysis", "PipeOpsWorkspace", "PipeOpsEngine", "PipeOpsRelease", "PipeOpsTestSupport"]
        ),
        .testTarget(name: "PipeOpsAppTests", dependencies: ALL + ["PipeOpsTestSupport"]),
        .testTarget(name: "PipeOpsReportingTests", dependencies: ALL + ["PipeOpsTestSupport"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["PipeOpsTestSupport"]),
        .testTarget(name: "pipeopsCLITests", dependencies: ALL + ["PipeOpsTestSupport"]),
    ]
)

// The libFuzzer target exists only for scripts/fuzz.sh (PIPEOPS_FUZZ=1 and -sanitize=fuzzer,
// which supplies main): a normal build never sees it.
if Context.environment["PIPEOPS_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "pipeops-fuzz", dependencies: ALL, path: "Fuzz/pipeops-fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "pipeops-fuzz", targets: ["pipeops-fuzz"]))
}
