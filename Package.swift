// swift-tools-version:6.2
import PackageDescription

// libsrtp2: the Makefile builds Debian's source package on OpenSSL into a folder and names it in
// MEDIAMUX_SRTP_PREFIX, which is linked statically (scripts/build-libsrtp2.sh). Without it, the system's
// libsrtp2 is linked: on Debian 12 that one is built on NSS and does not scale (docs/benchmarks.md).
let srtpPrefix = Context.environment["MEDIAMUX_SRTP_PREFIX"].flatMap { $0.isEmpty ? nil : $0 }
let srtpCSettings: [CSetting] = srtpPrefix.map { [.unsafeFlags(["-I\($0)/include"])] } ?? []
// The prefix holds libsrtp2.a alone, so -lsrtp2 takes the archive; libcrypto follows it for its symbols.
let srtpLinkerSettings: [LinkerSetting] =
    (srtpPrefix.map { [.unsafeFlags(["-L\($0)/lib"])] } ?? [])
    + [.linkedLibrary("srtp2"), .linkedLibrary("ssl"), .linkedLibrary("crypto")]

// Layers, dependencies pointing one way (docs/architecture.md):
// MuxWire -> MuxICE -> MuxCore (+ CMuxAtomics) -> MuxIO -> MuxSessions -> MuxAPI -> MuxConfig -> mediamux, with MuxSDP,
// MuxCrypto (+ CMuxCrypto) and MuxMedia (on MuxCore and MuxSecure, which is on MuxWire and MuxCrypto) beside them.
let package = Package(
    name: "mediamux",
    products: [
        .executable(name: "mediamux", targets: ["mediamux"]),
        .executable(name: "mediamux-loadgen", targets: ["mediamux-loadgen"]),
        .executable(name: "mediamux-reference", targets: ["mediamux-reference"]),
        .library(name: "MuxWire", targets: ["MuxWire"]),
        .library(name: "MuxICE", targets: ["MuxICE"]),
        .library(name: "MuxCore", targets: ["MuxCore"]),
        .library(name: "MuxIO", targets: ["MuxIO"]),
        .library(name: "MuxSessions", targets: ["MuxSessions"]),
        .library(name: "MuxAPI", targets: ["MuxAPI"]),
        .library(name: "MuxCluster", targets: ["MuxCluster"]),
        .library(name: "MuxConfig", targets: ["MuxConfig"]),
        .library(name: "MuxSDP", targets: ["MuxSDP"]),
        .library(name: "MuxCrypto", targets: ["MuxCrypto"]),
        .library(name: "MuxSecure", targets: ["MuxSecure"]),
        .library(name: "MuxMedia", targets: ["MuxMedia"]),
        // Test peers (DTLS, ICE checks, SRTP packets) for the tests, the load generator and the benchmarks.
        .library(name: "MuxTestSupport", targets: ["MuxTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // Wire formats: RFC 7983 classification, STUN. No sockets, no clock.
        .target(name: "MuxWire", dependencies: ["CMuxDigest"]),
        // HMAC-SHA1 with per-key precomputed state, on OpenSSL's libcrypto.
        .target(name: "CMuxDigest", linkerSettings: [.linkedLibrary("crypto")]),
        // ICE-lite responder and consent state. No sockets, no clock.
        .target(name: "MuxICE", dependencies: ["MuxWire"]),
        // OpenSSL DTLS and libsrtp2 through a small C layer (macros, a datagram BIO, libsrtp policies).
        .target(name: "CMuxCrypto", cSettings: srtpCSettings, linkerSettings: srtpLinkerSettings),
        // Relaxed atomic adds for counters kept per thread, and which packet thread the caller is.
        .target(name: "CMuxAtomics"),
        // Linux calls Glibc does not import: epoll, eventfd, recvmmsg/sendmmsg batches, malloc_trim.
        .target(name: "CMuxSockets"),
        // SDP offers and answers for an ICE-lite, DTLS-terminating server. No dependencies.
        .target(name: "MuxSDP"),
        // DTLS-SRTP per session: certificate, handshake engine, SRTP contexts. No sockets, no clock.
        .target(name: "MuxCrypto", dependencies: ["CMuxCrypto"]),
        // Router/index, sessions, rooms, admission, handler seam. No sockets, no clock.
        .target(
            name: "MuxCore",
            dependencies: [
                "MuxWire", "MuxICE", "CMuxAtomics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One session's DTLS-SRTP state machine (`SecureSession`). No sockets, no locks, no clock.
        .target(name: "MuxSecure", dependencies: ["MuxWire", "MuxCrypto"]),
        // DTLS-SRTP termination in front of media handlers (echo, room, rtp), driving `SecureSession`. No sockets.
        .target(
            name: "MuxMedia",
            dependencies: [
                "MuxCore", "MuxCrypto", "MuxSecure",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The transports: the only module that owns sockets and threads.
        .target(
            name: "MuxIO",
            dependencies: [
                "MuxCore", "CMuxSockets",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Sessions from admission to release, above the transports: handlers, ports, candidates, close.
        .target(
            name: "MuxSessions",
            dependencies: [
                "MuxCore", "MuxIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // HTTP control API and metrics export.
        // Several nodes as one service: admission shared and exact, and node leases, in PostgreSQL.
        .target(
            name: "MuxCluster",
            dependencies: [
                "MuxCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "MuxAPI",
            dependencies: [
                "MuxCore", "MuxIO", "MuxSessions", "MuxMedia", "MuxSecure", "MuxCrypto", "MuxSDP", "MuxCluster",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "mediamux",
            dependencies: [
                "MuxAPI", "MuxConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Settings from the YAML file, the environment and flags, each read strictly and checked.
        .target(
            name: "MuxConfig",
            dependencies: [
                "MuxAPI", "MuxIO", "MuxSessions", "MuxCore", "MuxCluster",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Simulated WebRTC peers against a running mediamux or the reference forwarder (docs/benchmarks.md).
        .executableTarget(
            name: "mediamux-loadgen",
            dependencies: [
                "MuxWire", "MuxICE", "MuxCrypto", "MuxSDP", "MuxTestSupport", "CMuxSockets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The smallest SRTP echo (recvmmsg, libsrtp2, sendmmsg): this machine's ceiling, measured beside mediamux.
        .executableTarget(name: "mediamux-reference", dependencies: ["CMuxCrypto"]),
        // The DTLS test peer, check builders and a plain UDP client: the tests', the load generator's, the benchmarks'.
        .target(
            name: "MuxTestSupport", dependencies: ["MuxWire", "MuxICE", "MuxCrypto"], path: "Tests/MuxTestSupport"),
        .testTarget(name: "MuxWireTests", dependencies: ["MuxWire"]),
        .testTarget(name: "MuxICETests", dependencies: ["MuxICE", "MuxTestSupport"]),
        .testTarget(name: "MuxCryptoTests", dependencies: ["MuxCrypto", "MuxTestSupport"]),
        .testTarget(name: "MuxSDPTests", dependencies: ["MuxSDP"]),
        .testTarget(name: "MuxSecureTests", dependencies: ["MuxSecure", "MuxICE", "MuxWire", "MuxTestSupport"]),
        .testTarget(name: "MuxConfigTests", dependencies: ["MuxConfig", "MuxCluster"]),
        .testTarget(
            name: "MuxMediaTests",
            dependencies: [
                "MuxMedia", "MuxSecure", "MuxIO", "MuxSessions", "MuxCrypto", "MuxTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "MuxCoreTests",
            dependencies: ["MuxCore", "MuxTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics")]
        ),
        .testTarget(
            name: "MuxIOTests",
            dependencies: [
                "MuxIO", "MuxSessions", "MuxTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "MuxSessionsTests", dependencies: ["MuxSessions", "MuxIO", "MuxICE", "MuxWire"]),
        .testTarget(
            name: "MuxAPITests",
            dependencies: [
                "MuxAPI", "MuxMedia", "MuxSDP", "MuxTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)

// `any` spelled out for every existential (SE-0335), in every Swift target; the C targets have no Swift.
let cTargets: Set<String> = ["CMuxDigest", "CMuxCrypto", "CMuxSockets", "CMuxAtomics", "mediamux-reference"]
for target in package.targets where !cTargets.contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("ExistentialAny")]
}
