import CoreMetrics
import MuxCore
import MuxCrypto
import MuxSecure

/// DTLS and SRTP counters shared by every session, made once from the application's factory.
public final class MediaMetrics: Sendable {
    public enum HandshakeResult: String, CaseIterable, Sendable {
        case started, completed
        case failedHandshake = "failed_handshake"
        case failedFingerprint = "failed_fingerprint"
        case failedTimeout = "failed_timeout"
    }

    /// Why a media packet was dropped after the router delivered it.
    public enum Drop: String, CaseIterable, Sendable {
        /// SRTP authentication failed: forged, corrupted, or keyed for another session.
        case srtpAuth = "srtp_auth"
        /// SRTP replay protection: a packet seen before or too old.
        case srtpReplay = "srtp_replay"
        /// Any other SRTP error (too short, unknown format).
        case srtpOther = "srtp_other"
        /// RTP or RTCP before the DTLS handshake produced keys.
        case notReady = "not_ready"
        /// A DTLS record after the association was released (the peer's SRTP had proved its handshake done):
        /// a reordered flight, or a forgery.
        case dtlsAfterRelease = "dtls_after_release"
        /// A DTLS datagram after the handshake with no record that authenticated (malformed, another epoch,
        /// too short for a tag, forged, replayed): anyone can send one from the peer's address, so it ends nothing.
        case dtlsUnauthenticated = "dtls_unauthenticated"
    }

    private let handshakes: [HandshakeResult: Counter]
    private let drops: [Drop: Counter]
    private let released: Counter
    private let packetsIn: Counter
    private let packetsOut: Counter
    private let bytesIn: Counter
    private let bytesOut: Counter

    public init(factory: any MetricsFactory) {
        self.handshakes = Counter.perCase(
            of: HandshakeResult.self, label: "mediamux_dtls_handshakes_total", dimension: "result", factory: factory)
        self.drops = Counter.perCase(
            of: Drop.self, label: "mediamux_media_dropped_total", dimension: "reason", factory: factory)
        self.released = Counter(label: "mediamux_dtls_released_total", factory: factory)
        self.packetsIn = Counter(
            label: "mediamux_srtp_packets_total", dimensions: [("direction", "in")], factory: factory)
        self.packetsOut = Counter(
            label: "mediamux_srtp_packets_total", dimensions: [("direction", "out")], factory: factory)
        self.bytesIn = Counter(label: "mediamux_srtp_bytes_total", dimensions: [("direction", "in")], factory: factory)
        self.bytesOut = Counter(
            label: "mediamux_srtp_bytes_total", dimensions: [("direction", "out")], factory: factory)
        for counter in [self.released, self.packetsIn, self.packetsOut, self.bytesIn, self.bytesOut] {
            counter.increment(by: 0)
        }
    }

    func record(_ result: HandshakeResult) { self.handshakes[result]?.increment() }
    func record(_ drop: Drop) { self.drops[drop]?.increment() }
    func recordRelease() { self.released.increment() }

    func received(bytes: Int) {
        self.packetsIn.increment()
        self.bytesIn.increment(by: bytes)
    }

    func sent(bytes: Int) {
        self.packetsOut.increment()
        self.bytesOut.increment(by: bytes)
    }

    static func drop(_ drop: SecureDrop) -> Drop {
        switch drop {
        case .notReady: .notReady
        case .srtp(let failure): Self.drop(failure)
        case .dtlsUnauthenticated: .dtlsUnauthenticated
        case .dtlsAfterRelease: .dtlsAfterRelease
        }
    }

    static func drop(_ failure: SRTPFailure) -> Drop {
        switch failure {
        case .authentication: .srtpAuth
        case .replay: .srtpReplay
        case .other: .srtpOther
        }
    }
}

extension MediaMetrics.HandshakeResult {
    /// The handshake counter's result for a failure; nil for one after the keys were in place.
    init?(_ failure: SecureSessionFailure) {
        switch failure {
        case .timeout: self = .failedTimeout
        case .fingerprint: self = .failedFingerprint
        case .handshake: self = .failedHandshake
        case .association: return nil
        }
    }
}
