// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for the packet parsers, a package of their own so that their sanitizer build stays
// apart from the product's. `make fuzz` builds them with `--sanitize fuzzer --sanitize address` and runs
// each over its corpus in Corpus/ (README.md beside this file).
let package = Package(
    name: "mediamux-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "mediamux", path: ".."),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        // The fixed credentials and keys the seeds in Corpus/ were made with.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "MuxWire", package: "mediamux"), .product(name: "MuxICE", package: "mediamux")]
        ),
        // STUN parsing, every attribute accessor, MESSAGE-INTEGRITY and the ICE-lite answer.
        .executableTarget(
            name: "FuzzSTUN",
            dependencies: [
                "FuzzSupport", .product(name: "MuxWire", package: "mediamux"), .product(name: "MuxICE", package: "mediamux"),
            ]
        ),
        // The RFC 7983 classifier and the router behind it, with one live session: what every datagram meets.
        .executableTarget(
            name: "FuzzRoute",
            dependencies: [
                "FuzzSupport", .product(name: "MuxWire", package: "mediamux"), .product(name: "MuxICE", package: "mediamux"),
                .product(name: "MuxCore", package: "mediamux"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // DTLS records as the engine sees them: connected (nothing may end it) and handshaking.
        .executableTarget(name: "FuzzDTLS", dependencies: [.product(name: "MuxCrypto", package: "mediamux")]),
        // RTP and RTCP headers as libsrtp2 reads them before authenticating.
        .executableTarget(name: "FuzzSRTP", dependencies: ["FuzzSupport", .product(name: "MuxCrypto", package: "mediamux")]),
    ]
)
