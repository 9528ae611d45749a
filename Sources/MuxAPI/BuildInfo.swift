import Logging
import Metrics
import MuxCrypto

/// What this binary is: its version and the crypto library under its SRTP, logged at start and exported
/// as `mediamux_build_info{version, srtp_backend} 1`.
public enum BuildInfo {
    public static let version = "0.5.0-dev"

    static func record(factory: any MetricsFactory, logger: Logger) {
        let backend = SRTPLibrary.cryptoBackend
        Gauge(
            label: "mediamux_build_info", dimensions: [("version", Self.version), ("srtp_backend", backend)],
            factory: factory
        ).record(1)
        logger.info(
            "mediamux starting",
            metadata: [
                "version": "\(Self.version)", "srtp": "\(SRTPLibrary.version)", "srtp_backend": "\(backend)",
            ])
        if backend != "openssl" {
            logger.warning(
                "libsrtp2 is not built on OpenSSL: SRTP will slow down as sessions are added (docs/benchmarks.md)",
                metadata: ["srtp_backend": "\(backend)"]
            )
        }
    }
}
