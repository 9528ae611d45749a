import CMuxCrypto

/// Which side of the DTLS handshake mediamux takes; from the SDP `a=setup` negotiation.
public enum DTLSRole: Sendable, Equatable {
    /// `a=setup:passive`: waits for the peer's ClientHello.
    case server
    /// `a=setup:active`: sends the ClientHello.
    case client
}

/// One DTLS association. It does no I/O and reads no clock: feed it received datagrams with the time they
/// arrived, drain `pollDatagram()` after every call, and when the time reaches `pollTimeout()`, call
/// `handleTimeout(now:)`, which retransmits the last flight. OpenSSL's retransmission timer runs on the
/// instants given (`mm_clock_enter` in the C layer), so a test with a fake clock drives it as the packet
/// threads do.
///
/// Not thread-safe: its owner serialises calls.
public final class DTLSEngine {
    public enum State: Sendable, Equatable {
        case handshaking
        case connected
        case failed(String)
        case closed
    }

    private let pointer: OpaquePointer
    private let mtu: Int
    public let role: DTLSRole
    /// The instant OpenSSL's clock counts from: the first one given.
    private var origin: ContinuousClock.Instant?
    private var retransmissionDeadline: ContinuousClock.Instant?

    /// True when OpenSSL reads the clock the engine gives it. False only if something else in the process
    /// (libfaketime, say) replaced gettimeofday first; retransmissions then follow the system's clock.
    public static var clockFollowsCaller: Bool { mm_clock_follows_caller() == 1 }

    public init(context: DTLSContext, role: DTLSRole, mtu: Int = 1200) throws {
        guard let pointer = mm_dtls_new(context.pointer, role == .server ? 1 : 0, Int32(mtu)) else {
            throw CryptoError("cannot create a DTLS association")
        }
        self.pointer = pointer
        self.mtu = mtu
        self.role = role
    }

    deinit {
        mm_dtls_free(self.pointer)
    }

    /// Starts the handshake; a client queues its ClientHello.
    @discardableResult
    public func start(now: ContinuousClock.Instant) -> State {
        let clock = self.microseconds(now)
        let raw = mm_dtls_start(self.pointer, clock)
        return self.settle(raw, now: now, clock: clock)
    }

    @discardableResult
    public func handle(_ datagram: UnsafeRawBufferPointer, now: ContinuousClock.Instant) -> State {
        let clock = self.microseconds(now)
        let raw = mm_dtls_handle_datagram(
            self.pointer, datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), datagram.count, clock
        )
        return self.settle(raw, now: now, clock: clock)
    }

    /// True when the last datagram handed to a connected association carried no record that authenticated:
    /// malformed, of another epoch, too short to hold a tag, forged or replayed. Such a datagram changes
    /// nothing, whoever sent it.
    public var discardedLastDatagram: Bool { mm_dtls_discarded_last_datagram(self.pointer) == 1 }

    /// The next datagram to send, if any.
    public func pollDatagram() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max(self.mtu, 2048))
        let length = buffer.withUnsafeMutableBufferPointer {
            mm_dtls_next_datagram(self.pointer, $0.baseAddress, $0.count)
        }
        guard length > 0 else { return nil }
        return Array(buffer.prefix(Int(length)))
    }

    /// When the last flight is due to be retransmitted, while handshaking and waiting for the peer.
    public func pollTimeout() -> ContinuousClock.Instant? {
        mm_dtls_state(self.pointer) == Int32(MM_DTLS_HANDSHAKING) ? self.retransmissionDeadline : nil
    }

    /// Retransmits the last flight if `now` reached `pollTimeout()`; after too many, the handshake fails.
    @discardableResult
    public func handleTimeout(now: ContinuousClock.Instant) -> State {
        let clock = self.microseconds(now)
        return self.settle(mm_dtls_handle_timeout(self.pointer, clock), now: now, clock: clock)
    }

    public var state: State { self.state(mm_dtls_state(self.pointer)) }

    /// SHA-256 of the peer's certificate, once it sent one.
    public var peerCertificateSHA256: [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        return mm_dtls_peer_fingerprint(self.pointer, &digest) == 0 ? digest : nil
    }

    /// The SRTP keys of a completed handshake (RFC 5764, section 4.2).
    public func srtpKeys() -> SRTPKeyMaterial? {
        guard let profile = SRTPProfile(rawValue: mm_dtls_srtp_profile(self.pointer)) else { return nil }
        let keyLength = profile.keyLength
        let saltLength = profile.saltLength
        var material = [UInt8](repeating: 0, count: 2 * (keyLength + saltLength))
        guard mm_dtls_export_srtp_material(self.pointer, &material, material.count) == 0 else { return nil }
        let clientKey = Array(material[0..<keyLength])
        let serverKey = Array(material[keyLength..<(2 * keyLength)])
        let clientSalt = Array(material[(2 * keyLength)..<(2 * keyLength + saltLength)])
        let serverSalt = Array(material[(2 * keyLength + saltLength)...])
        return SRTPKeyMaterial(
            profile: profile, clientKey: clientKey, clientSalt: clientSalt, serverKey: serverKey, serverSalt: serverSalt
        )
    }

    /// Queues close_notify.
    public func shutdown() {
        mm_dtls_shutdown(self.pointer)
    }

    /// The close_notify datagram this connected association would send now, written but not queued; the
    /// engine is closed afterwards. Keep the datagram and free the engine: it stays a valid alert for the
    /// peer as long as nothing else is sent in its epoch. Nil unless connected with nothing left to send.
    public func sealCloseNotify() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max(self.mtu, 256))
        let length = buffer.withUnsafeMutableBufferPointer {
            mm_dtls_seal_close_notify(self.pointer, $0.baseAddress, $0.count)
        }
        guard length > 0 else { return nil }
        return Array(buffer.prefix(Int(length)))
    }

    /// Microseconds on OpenSSL's clock: from the first instant given, plus a margin that keeps earlier
    /// instants (a receive batch read before the engine was made) positive, since 0 means "no timer" to it.
    private func microseconds(_ now: ContinuousClock.Instant) -> Int64 {
        let origin = self.origin ?? now
        self.origin = origin
        let (seconds, attoseconds) = (now - origin).components
        return 1_000_000_000_000 + seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    private func settle(_ raw: Int32, now: ContinuousClock.Instant, clock: Int64) -> State {
        let remaining = mm_dtls_timeout_us(self.pointer, clock)
        self.retransmissionDeadline = remaining < 0 ? nil : now + .microseconds(remaining)
        return self.state(raw)
    }

    private func state(_ raw: Int32) -> State {
        switch Int(raw) {
        case Int(MM_DTLS_HANDSHAKING): return .handshaking
        case Int(MM_DTLS_CONNECTED): return .connected
        case Int(MM_DTLS_CLOSED): return .closed
        default: return .failed(String(cString: mm_dtls_error(self.pointer)))
        }
    }
}
