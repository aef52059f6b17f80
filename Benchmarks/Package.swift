// swift-tools-version:6.1
//
// Ferry's benchmarks, as a package of their own so that the main package neither builds nor
// resolves them (STYLE.md P18). `ferry-bench run` starts `ferry-bench server` as a child process
// and measures it over TLS on 127.0.0.1; see README.md.

import PackageDescription

let package = Package(
    name: "FerryBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Ferry", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "ferry-bench",
            dependencies: [
                .product(name: "FerryRPC", package: "Ferry"),
                .product(name: "FerryTLS", package: "Ferry"),
                .product(name: "FerryTransport", package: "Ferry"),
                .product(name: "FerryProto", package: "Ferry"),
                .product(name: "FerryCrypto", package: "Ferry"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
