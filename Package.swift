// swift-tools-version:6.1
//
// Ferry: a TLS-secured RPC service that keeps data-labeling projects in step with cloud storage.
//
// Layers, bottom to top: C wrappers (OpenSSL, protobuf-c, generated messages) → FerryTLS →
// FerryRPC (transport-agnostic core) → FerryTransport (framing + NIO) → FerryProto (messages) →
// services and executables.

import PackageDescription

let defaultSwiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// FerryProviders reads `struct stat` through Glibc, and CoreFoundation (through Foundation) and
// CNIOLinux (through NIOPosix) declare the same C struct; with MemberImportVisibility the compiler
// wants the module it happened to load the declaration from imported by name, and which one that
// is changes from build to build. So that module builds without the feature.
let providersSwiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferryd", targets: ["ferryd"]),
        .executable(name: "ferryctl", targets: ["ferryctl"]),
        .executable(name: "ferry-worker", targets: ["ferry-worker"]),
        .library(name: "FerryRPC", targets: ["FerryRPC"]),
        .library(name: "FerryTLS", targets: ["FerryTLS"]),
        .library(name: "FerryTransport", targets: ["FerryTransport"]),
        .library(name: "FerryProto", targets: ["FerryProto"]),
        .library(name: "FerryCrypto", targets: ["FerryCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(
            url: "https://github.com/apple/swift-configuration.git",
            from: "1.4.0",
            traits: ["JSON", "CommandLineArguments"]
        ),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        // MARK: C libraries and shims

        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "COpenSSLShims", dependencies: ["COpenSSL"]),
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"]), .brew(["protobuf-c"])]
        ),
        .target(name: "CFerryProto", dependencies: ["CProtobufC"]),

        // MARK: Libraries

        .target(
            name: "FerryRPC",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryTLS",
            dependencies: [
                "COpenSSL", "COpenSSLShims",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryTransport",
            dependencies: [
                "FerryRPC", "FerryTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ] + nio,
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryProto",
            dependencies: ["FerryRPC", "CFerryProto", "CProtobufC"],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryCrypto",
            dependencies: ["COpenSSL"],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryCore",
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryStore",
            dependencies: [
                "FerryCore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerrySettings",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryLogging",
            dependencies: [
                "FerrySettings",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryMetrics",
            dependencies: [
                "FerrySettings", "FerryTransport",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ] + nio,
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryMapping",
            dependencies: ["FerryCore", "FerryProto", "FerryRPC"],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryProviders",
            dependencies: [
                "FerryCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ] + nio,
            swiftSettings: providersSwiftSettings
        ),
        .target(
            name: "FerryServices",
            dependencies: [
                "FerryRPC", "FerryProto", "FerryTransport", "FerryTLS", "FerryCrypto", "FerryCore", "FerryStore",
                "FerrySettings", "FerryMapping", "FerryProviders", "FerryMetrics", "FerryLogging",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: defaultSwiftSettings
        ),

        .target(
            name: "FerryWorker",
            dependencies: [
                "FerryRPC", "FerryProto", "FerryTransport", "FerryTLS", "FerryCore", "FerrySettings", "FerryMapping",
                "FerryProviders", "FerryCrypto", "FerryMetrics", "FerryLogging",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ] + nio,
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "FerryCLI",
            dependencies: ["FerryCore", "FerryProto", "FerryRPC", "FerrySettings"],
            swiftSettings: defaultSwiftSettings
        ),

        // MARK: Executables

        .executableTarget(
            name: "ferryd",
            dependencies: [
                "FerryServices", "FerrySettings", "FerryStore", "FerryLogging",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .executableTarget(
            name: "ferry-worker",
            dependencies: [
                "FerryWorker", "FerrySettings", "FerryLogging", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .executableTarget(
            name: "ferryctl",
            dependencies: [
                "FerryServices", "FerryTransport", "FerryTLS", "FerryProto", "FerryRPC", "FerryCrypto", "FerryCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: defaultSwiftSettings
        ),

        // MARK: Tests

        .target(
            name: "FerryTestSupport",
            dependencies: [
                "FerryTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/FerryTestSupport",
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryRPCTests",
            dependencies: ["FerryRPC"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryTLSTests",
            dependencies: [
                "FerryTLS", "FerryTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryTransportTests",
            dependencies: [
                "FerryTransport", "FerryRPC", "FerryTLS", "FerryTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryServicesTests",
            dependencies: [
                "FerryServices", "FerryRPC", "FerrySettings",
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryCryptoTests",
            dependencies: ["FerryCrypto"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryCoreTests",
            dependencies: ["FerryCore"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryStoreTests",
            dependencies: ["FerryStore", "FerryCore", "FerryTestSupport"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryProtoTests",
            dependencies: ["FerryProto", "FerryRPC", "CFerryProto", "CProtobufC"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryWorkerTests",
            dependencies: ["FerryWorker", "FerryProviders", "FerryProto", "FerrySettings", "FerryCore", "FerryRPC", "FerryTransport",
                .product(name: "Configuration", package: "swift-configuration")],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryProvidersTests",
            dependencies: [
                "FerryProviders", "FerryCore", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Vectors")],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryCLITests",
            dependencies: ["FerryCLI", "FerryProto", "FerryRPC"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "FerryServerIntegrationTests",
            dependencies: [
                "FerryServices", "FerryStore", "FerryCore", "FerryRPC", "FerryProto", "FerryTLS",
                "FerryTransport", "FerryCrypto", "FerryTestSupport", "FerryWorker", "FerryProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
    ]
)

// MARK: Fuzz targets (only with FERRY_FUZZ set)
//
// libFuzzer harnesses for the frame decoder and protobuf message decoding. They have no `main`
// (libFuzzer supplies it under `-sanitize=fuzzer`), so a normal build must never see them:
// they exist only when FERRY_FUZZ is set. Build and run them with scripts/fuzz.sh; see
// Fuzz/README.md.
if Context.environment["FERRY_FUZZ"] != nil {
    package.products += [
        .executable(name: "FrameFuzzer", targets: ["FrameFuzzer"]),
        .executable(name: "MessageFuzzer", targets: ["MessageFuzzer"]),
    ]
    package.targets += [
        .executableTarget(
            name: "FrameFuzzer",
            dependencies: [
                "FerryTransport", "FerryRPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Fuzz/FrameFuzzer",
            swiftSettings: defaultSwiftSettings
        ),
        .executableTarget(
            name: "MessageFuzzer",
            dependencies: ["FerryProto"],
            path: "Fuzz/MessageFuzzer",
            swiftSettings: defaultSwiftSettings
        ),
    ]
}
