// swift-tools-version: 6.1
import PackageDescription

/// One entry per folder in `Plugins/`. Adding a channel = a new folder + one word here.
/// Each entry `X` becomes the target `XChannel` at `Plugins/X` (exporting `XChannelPlugin`)
/// and its test target `XChannelTests` at `Plugins/X/Tests`.
let channels = ["Social", "SEO", "Referral", "Events", "Email", "PaidSearch"]

let channelTargets: [Target] = channels.flatMap { name -> [Target] in
    [
        .target(name: "\(name)Channel", dependencies: ["ChannelKit"], path: "Plugins/\(name)", exclude: ["Tests"]),
        .testTarget(name: "\(name)ChannelTests", dependencies: [.target(name: "\(name)Channel"), "ChannelKit", "ChannelTestKit"],
                    path: "Plugins/\(name)/Tests"),
    ]
}

let package = Package(
    name: "LeadLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "leadledger", targets: ["leadledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: channelTargets + [
        // The C API of the system SQLite, seen only by the Warehouse module.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // What a channel plugin sees: records, metrics, formats, touch rules. No SQLite.
        .target(name: "ChannelKit"),
        // SHA-256's compression function with the x86 SHA extensions (C intrinsics), for Digests.
        .target(name: "CSHA256"),
        // SHA-256 for file checksums and salted identifier hashes.
        .target(name: "Digests", dependencies: ["CSHA256"]),
        // Thread helpers: a bounded hand-off between two threads, work collected later.
        .target(name: "Parallelism"),
        // The SQLite warehouse: schema, migrations, the import sink and readers.
        .target(name: "Warehouse", dependencies: ["CSQLite", "ChannelKit", "Parallelism"]),
        // Streaming CSV import of core sources and channel exports into the warehouse.
        .target(name: "Ingest", dependencies: ["ChannelKit", "Warehouse", "Digests", "Parallelism"]),
        // zlib from the system, for compressed snapshots.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Compressed, verifiable dataset snapshots (directory or tar of gzip CSVs + manifest).
        .target(name: "Snapshots", dependencies: ["CZlib", "Warehouse", "Ingest", "Digests", "ChannelKit"]),
        // Lead scoring, temperature, dormant leads, target segments and buyer personas.
        .target(name: "Targeting", dependencies: ["Warehouse", "ChannelKit", "Reports"]),
        // Multi-touch attribution models over journeys.
        .target(name: "Attribution", dependencies: ["Warehouse", "ChannelKit"]),
        // KPIs and the channel comparison report.
        .target(name: "Reports", dependencies: ["Warehouse", "ChannelKit"]),
        // The build-time list of channel plugins, generated from `channels` above.
        .target(
            name: "ChannelRegistry",
            dependencies: ["ChannelKit"] + channels.map { .target(name: "\($0)Channel") },
            plugins: ["ChannelRegistryPlugin"]
        ),
        .plugin(
            name: "ChannelRegistryPlugin",
            capability: .buildTool(),
            dependencies: ["ChannelRegistryCodegen"],
            path: "Sources/ChannelRegistryPlugin"
        ),
        .executableTarget(name: "ChannelRegistryCodegen", path: "Sources/ChannelRegistryCodegen"),
        // The `leadledger` command.
        .executableTarget(
            name: "leadledger",
            dependencies: [
                "ChannelKit", "ChannelRegistry", "Warehouse", "Ingest", "Reports", "Attribution", "Snapshots", "Targeting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Deterministic generator of the demo data set (and, later, the benchmark data set).
        .executableTarget(name: "DemoDataGenerator", dependencies: ["ChannelKit"], path: "scripts/DemoDataGenerator"),

        // Helpers shared by the test targets: temporary folders, files, the package root.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // A temporary warehouse with an importer, for the channel plugins' and ingest tests.
        .target(name: "ChannelTestKit", dependencies: ["TestSupport", "Ingest", "Warehouse", "ChannelKit"], path: "Tests/ChannelTestKit"),
        .testTarget(name: "ChannelKitTests", dependencies: ["ChannelKit", "TestSupport"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests", "TestSupport"]),
        .testTarget(name: "WarehouseTests", dependencies: ["Warehouse", "ChannelKit", "TestSupport"]),
        .testTarget(name: "ParallelismTests", dependencies: ["Parallelism"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "TestSupport", "ChannelTestKit"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "TestSupport"]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "TestSupport"]),
        .testTarget(name: "SnapshotsTests", dependencies: ["Snapshots", "Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "Reports", "Attribution", "TestSupport"]),
        .testTarget(name: "TargetingTests", dependencies: ["Targeting", "Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "Reports", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["Snapshots", "Ingest", "Warehouse", "ChannelKit", "ChannelRegistry", "TestSupport"]),
        .testTarget(name: "ChannelRegistryTests", dependencies: ["ChannelRegistry", "ChannelKit", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["leadledger", "DemoDataGenerator", "TestSupport", "ChannelRegistry", "Ingest", "Warehouse"]),
    ]
)
