// swift-tools-version:6.2
import PackageDescription

// Layout: a pure core (Raft, topology model, analysis, recovery planning, configuration model), an IO
// shell (libmariadb, SQLite via GRDB, NIO transport, services) and thin executables.

/// Only the executables that parse command lines link it (never the libraries or the client).
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "orchd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "orchd", targets: ["orchd"]),
        .executable(name: "orchestrator-client", targets: ["orchestrator-client"]),
        .library(name: "OrchestratorCore", targets: ["OrchestratorCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // TLS for orchd's peer HTTP client (https:// HTTPAdvertise). Bundles BoringSSL (406 C files): its cold
        // debug build measured here ~5 CPU-minutes (10.5 min wall on the loaded shared 2 cores).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Default traits off: no swift-configuration / full-Foundation extras needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Command lines of orchd and the test/bench tools (not the client: see ClientOptions.swift).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libmariadb (Debian libmariadb-dev) as a C module.
        .systemLibrary(
            name: "CMariaDB",
            path: "Sources/CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        // PURE: no NIO, no GRDB, no libmariadb, no clocks, no sockets, no processes.
        .target(name: "OrchestratorCore"),
        // IO shells: MySQL probing, SQLite store, Raft storage/transport/service, discovery.
        .target(
            name: "OrchestratorServer",
            dependencies: [
                "OrchestratorCore",
                "CMariaDB",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ]
        ),
        // The CLI's logic: flags, commands, HTTP over plain sockets, output. Kept light for start-up time.
        // TLS for https:// endpoints: BoringSSL's C API (module CNIOBoringSSL) over the client's own socket; no
        // NIO code is called. swift-nio-ssl exports no CNIOBoringSSL product, so the client depends on NIOSSL
        // to get the module (the linker drops what the client does not reference).
        .target(name: "OrchestratorClient", dependencies: [.product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .executableTarget(name: "orchd", dependencies: ["OrchestratorServer", argumentParser]),
        .executableTarget(name: "orchestrator-client", dependencies: ["OrchestratorClient"]),
        // One Raft node with a toy state machine and a control port, for real-process tests and bench-raft.
        .executableTarget(
            name: "raft-harness",
            dependencies: [
                "OrchestratorServer",
                "OrchestratorServerTestKit",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                argumentParser,
            ]
        ),
        // Benchmark: discovers a sandbox topology repeatedly (run by Scripts/bench-discovery).
        .executableTarget(name: "orchd-bench-discovery", dependencies: ["OrchestratorServer", argumentParser]),
        // A MySQL-protocol fleet simulator (load generator for Scripts/bench-scale; its answers are checked
        // against real MariaDB in the integration suite). NIO only: no orchd code.
        .target(
            name: "FleetSimulator",
            dependencies: [
                "OrchestratorCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "orchd-fleet-sim", dependencies: ["FleetSimulator", argumentParser]),
        // Test support: simulated Raft network, topology builders, MariaDB sandbox helper.
        .target(name: "OrchestratorTestKit", dependencies: ["OrchestratorCore"]),
        // Test support for the IO shells: in-memory Raft storage/transport/state machine, a recording hook
        // runner, and the Raft control line protocol that raft-harness and the real-process tests speak.
        // Never linked into orchd.
        .target(
            name: "OrchestratorServerTestKit",
            dependencies: [
                "OrchestratorServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Deterministic Raft simulation outside the test runner (Scripts/simulate-raft, release build).
        .executableTarget(name: "raft-sim", dependencies: ["OrchestratorTestKit", argumentParser]),

        .testTarget(name: "OrchestratorCoreTests", dependencies: ["OrchestratorCore", "OrchestratorTestKit"]),
        .testTarget(
            name: "OrchestratorServerTests",
            dependencies: [
                "OrchestratorServer", "OrchestratorServerTestKit", "OrchestratorTestKit",
                // Every client command must reach a route (ClientCommandCoverageTests).
                "OrchestratorClient",
                // The HTTP client tests run their own NIO HTTP(S) servers.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The Raft frame decoder is driven through an embedded channel.
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "OrchestratorClientTests", dependencies: ["OrchestratorClient"]),
        .testTarget(
            name: "OrchestratorIntegrationTests",
            dependencies: [
                "OrchestratorServer", "OrchestratorServerTestKit", "OrchestratorClient", "OrchestratorTestKit",
                "FleetSimulator",
            ]
        ),
    ]
)

// No compiler warnings in our own targets: each is an error (SE-0480), so `swift build --build-tests`
// (Scripts/test, CI) fails on one. Set per target here, so dependencies' warnings stay warnings.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
}
