// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for the packet parsers, a package of their own so that their sanitizer build stays
// apart from the product's. `make fuzz` builds them with `--sanitize fuzzer --sanitize address` and runs
// each over its corpus in Corpus/ (README.md beside this file).
let package = Package(
    name: "mediamux-fuzz",
    dependencies: [
        .package(name: "mediamux", path: ".."),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // The fixed credentials and keys the seeds in Corpus/ were made with.
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "MuxWire", package: "mediamux"), .product(name: "MuxICE", package: "mediamux"),
            ]
        ),
        // STUN parsing, every attribute accessor, MESSAGE-INTEGRITY and the ICE-lite answer.
        .executableTarget(
            name: "FuzzSTUN",
            dependencies: [
                "FuzzSupport", .product(name: "MuxWire", package: "mediamux"),
                .product(name: "MuxICE", package: "mediamux"),
            ]
        ),
        // The RFC 7983 classifier and the router behind it, with one live session: what every datagram meets.
        .executableTarget(
            name: "FuzzRoute",
            dependencies: [
                "FuzzSupport", .product(name: "MuxWire", package: "mediamux"),
                .product(name: "MuxICE", package: "mediamux"),
                .product(name: "MuxCore", package: "mediamux"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // DTLS records as the engine sees them: connected (nothing may end it) and handshaking.
        .executableTarget(name: "FuzzDTLS", dependencies: [.product(name: "MuxCrypto", package: "mediamux")]),
        // RTP and RTCP headers as libsrtp2 reads them before authenticating.
        .executableTarget(
            name: "FuzzSRTP", dependencies: ["FuzzSupport", .product(name: "MuxCrypto", package: "mediamux")]),
        // SDP offers parsed and answered as for an echo session; an answer must parse again.
        .executableTarget(name: "FuzzSDP", dependencies: [.product(name: "MuxSDP", package: "mediamux")]),
        // The configuration loader: a YAML file, flags and environment variables from one input.
        .executableTarget(name: "FuzzConfig", dependencies: [.product(name: "MuxConfig", package: "mediamux")]),
        // Create-session bodies through the whole API and the mux behind it.
        .executableTarget(
            name: "FuzzAPI",
            dependencies: [
                .product(name: "MuxAPI", package: "mediamux"), .product(name: "MuxWire", package: "mediamux"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
