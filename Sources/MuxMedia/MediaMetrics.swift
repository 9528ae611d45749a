import CoreMetrics
import MuxCore
import MuxCrypto
import MuxSecure

/// DTLS and SRTP counters of every session, made once from the application's factory.
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
    /// Packets and bytes in and out, counted per packet thread; `SessionManager` publishes them.
    public let perPacket: ShardedCounters
    private static let packetsIn = 0
    private static let packetsOut = 1
    private static let bytesIn = 2
    private static let bytesOut = 3

    /// `threads`: the packet threads that count (`udp.io_threads`); any other thread shares one more shard.
    public init(factory: any MetricsFactory, threads: Int = 1) {
        self.handshakes = Counter.perCase(
            of: HandshakeResult.self, label: "mediamux_dtls_handshakes_total", dimension: "result", factory: factory)
        self.drops = Counter.perCase(
            of: Drop.self, label: "mediamux_media_dropped_total", dimension: "reason", factory: factory)
        self.released = Counter(label: "mediamux_dtls_released_total", factory: factory)
        // In the order of the slots above.
        let perPacket = [("packets", "in"), ("packets", "out"), ("bytes", "in"), ("bytes", "out")].map {
            unit, direction in
            Counter(label: "mediamux_srtp_\(unit)_total", dimensions: [("direction", direction)], factory: factory)
        }
        for counter in [self.released] + perPacket { counter.increment(by: 0) }
        self.perPacket = ShardedCounters(exporting: perPacket, threads: threads)
    }

    func record(_ result: HandshakeResult) { self.handshakes[result]?.increment() }
    func record(_ drop: Drop) { self.drops[drop]?.increment() }
    func recordRelease() { self.released.increment() }

    func received(bytes: Int) {
        let thread = PacketThread.current
        self.perPacket.add(Self.packetsIn, 1, thread: thread)
        self.perPacket.add(Self.bytesIn, bytes, thread: thread)
    }

    func sent(bytes: Int) {
        let thread = PacketThread.current
        self.perPacket.add(Self.packetsOut, 1, thread: thread)
        self.perPacket.add(Self.bytesOut, bytes, thread: thread)
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
