// swift-tools-version:6.2
import PackageDescription

// mediamux's benchmarks, a package of their own so that ordo-one/benchmark stays out of the product's
// dependencies. Run from this folder: `swift package benchmark` (README.md beside this file).
//
// ordo-one/benchmark gets only the "MallocInterposer" trait: its default "RuntimeInterposer" trait pulls in
// ordo-one/swift-runtime-interposer on Linux with Swift 6.3 (ARC counts, which these benchmarks don't use),
// and that package cannot be fetched on the build machines.
let package = Package(
    name: "mediamux-benchmarks",
    dependencies: [
        .package(name: "mediamux", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Metrics and tolerances every benchmark shares.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Support"
        ),
        // Per-packet routing of a connected session, its reference, and a consent check.
        .executableTarget(
            name: "Routing",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MuxCore", package: "mediamux"),
                .product(name: "MuxICE", package: "mediamux"),
                .product(name: "MuxWire", package: "mediamux"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Benchmarks/Routing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // SRTP protect and unprotect of one RTP packet, per profile.
        .executableTarget(
            name: "SRTP",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MuxCrypto", package: "mediamux"),
            ],
            path: "Benchmarks/SRTP",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The media path of an echo session after routing: SRTP in, the echo handler, SRTP out.
        .executableTarget(
            name: "Media",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MuxCore", package: "mediamux"),
                .product(name: "MuxMedia", package: "mediamux"),
                .product(name: "MuxSecure", package: "mediamux"),
                .product(name: "MuxCrypto", package: "mediamux"),
                .product(name: "MuxTestSupport", package: "mediamux"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Media",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
