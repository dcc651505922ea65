// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pipeops",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pipeops", targets: ["pipeops"]),
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
        .target(
            name: "PipeOpsKit",
            dependencies: [
                "CLibGit2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "pipeops",
            dependencies: [
                "PipeOpsKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "PipeOpsKitTests",
            dependencies: ["PipeOpsKit"]
        ),
        .testTarget(
            name: "pipeopsCLITests",
            dependencies: ["PipeOpsKit"]
        ),
    ]
)
