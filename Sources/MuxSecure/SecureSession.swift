import MuxCrypto
import MuxWire

/// The DTLS-SRTP state machine of one session. It does no I/O, takes no lock and reads no clock: it takes
/// datagrams and instants, and gives back datagrams to send, the next instant it needs, and events.
///
/// ICE is not in here: which tuples reach a session, and which one is selected, is the router's decision,
/// since a tuple belongs to at most one session. The session learns only that a path exists
/// (`handlePathSelected`); the datagrams it is given came from tuples ICE authenticated, and what it
/// transmits goes to the selected one.
///
/// Drive it like this, one caller at a time:
/// - `handle(_:class:now:)` for each datagram, `handlePathSelected(now:)` once ICE selected a path,
///   `handleTimeout(now:)` when the instant of `pollTimeout()` comes, `close(notifyPeer:)` at the end;
/// - after any of these, drain `pollTransmit()` and `pollEvent()` until nil, then arm a timer for
///   `pollTimeout()`;
/// - `protect(_:length:isRTCP:)` encrypts outgoing media once connected.
///
/// After the handshake the peer's certificate must match the fingerprint it signaled; then SRTP keys come
/// from the DTLS exporter. A source address proves nothing, so once connected a datagram whose records do
/// not authenticate is dropped (`dtlsUnauthenticated`); only the peer's own close_notify or fatal alert ends it.
///
/// The DTLS association is released at the first timeout after the first SRTP or SRTCP packet that
/// authenticates at least `releaseDelay` after the handshake: such a packet proves the peer has its keys,
/// and a conforming peer sends none before it received our last flight; the delay still lets a peer that
/// did lose it retransmit its own and get ours again. OpenSSL's buffers are most of a session's memory. What
/// stays is the SRTP contexts and a close_notify sealed at that moment, sent by `close(notifyPeer: true)`.
///
/// Its stored properties opt out of the runtime's exclusivity checks, which one caller at a time makes moot:
/// each check is a thread-local lookup (`swift_beginAccess`), several per packet, and they showed in the profile
/// of `Echo-SRTP-GCM-1200B`.
public final class SecureSession {
    public let role: DTLSRole
    @exclusivity(unchecked) public private(set) var phase = SecurePhase.awaitingPath
    private let remoteFingerprint: [UInt8]?
    private let settings: MediaSettings
    private let consentConfirmationInterval: Duration
    /// The DTLS association, until it is released or the session closes.
    @exclusivity(unchecked) private var engine: DTLSEngine?
    /// The close_notify sealed when the association was released, for `close`.
    @exclusivity(unchecked) private var closeNotify: [UInt8]?
    @exclusivity(unchecked) private var srtp: SRTPSession?
    /// When authenticated media may next confirm consent, so ICE is told at most once an interval.
    @exclusivity(unchecked) private var nextConsentConfirmation: ContinuousClock.Instant?
    @exclusivity(unchecked) private var transmits: [[UInt8]] = []
    @exclusivity(unchecked) private var events: [SecureSessionEvent] = []

    /// `remoteFingerprint` is the SHA-256 of the certificate the peer signaled, when it signaled one.
    public init(
        role: DTLSRole, dtls: DTLSContext, remoteFingerprint: [UInt8]?, settings: MediaSettings,
        consentConfirmationInterval: Duration
    ) throws {
        self.role = role
        self.remoteFingerprint = remoteFingerprint
        self.settings = settings
        self.consentConfirmationInterval = consentConfirmationInterval
        self.engine = try DTLSEngine(context: dtls, role: role, mtu: settings.mtu)
    }

    public var isConnected: Bool {
        if case .connected = self.phase { return true }
        return false
    }

    // MARK: Input

    /// One datagram from an authenticated tuple. RTP and RTCP are decrypted in place, in the caller's buffer.
    public func handle(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, now: ContinuousClock.Instant
    ) -> SecureReceipt {
        switch packetClass {
        case .dtls:
            return self.handleDTLS(UnsafeRawBufferPointer(datagram), now: now)
        case .rtp, .rtcp:
            guard let srtp = self.srtp else { return .dropped(.notReady) }
            let length: Int
            switch srtp.inbound.unprotect(datagram, length: datagram.count, isRTCP: packetClass == .rtcp) {
            case .success(let plain): length = plain
            case .failure(let failure): return .dropped(.srtp(failure))
            }
            var confirmsConsent = false
            if now >= self.nextConsentConfirmation ?? now {
                self.nextConsentConfirmation = now + self.consentConfirmationInterval
                confirmsConsent = true
            }
            if case .connected(.kept(let until)) = self.phase, now >= until {
                // Freed at the next timeout, not here: in one run, 10,000 freed on the packet thread as traffic
                // began went with 2 % loss.
                self.phase = .connected(.releaseDue(since: now))
            }
            return .media(length: length, confirmsConsent: confirmsConsent)
        case .stun, .unknown:
            return .ignored
        }
    }

    /// ICE selected a path: a client sends its ClientHello now, and a server's handshake deadline starts.
    public func handlePathSelected(now: ContinuousClock.Instant) {
        guard case .awaitingPath = self.phase, let engine = self.engine else { return }
        self.beginHandshake(now: now)
        if engine.role == .client { engine.start(now: now) }
        self.advance(engine, now: now)
    }

    /// The instant of `pollTimeout()` came (or passed): retransmits a due flight, ends a handshake past its
    /// deadline, or releases the association.
    public func handleTimeout(now: ContinuousClock.Instant) {
        switch self.phase {
        case .connected(.releaseDue(let since)) where now >= since:
            self.releaseEngine()
        case .handshaking(let deadline):
            guard let engine = self.engine else { return }
            if now >= deadline {
                self.fail(.timeout, "no DTLS handshake within \(self.settings.handshakeTimeout)")
                return
            }
            // Retransmits the last flight only if its timer is due by `now`.
            engine.handleTimeout(now: now)
            self.advance(engine, now: now)
        case .awaitingPath, .connected, .closing, .closed:
            break
        }
    }

    /// Ends the session and frees everything. With `notifyPeer` (mediamux ended it), close_notify is queued
    /// for the peer, which then stops at once: drain `pollTransmit()` once more.
    public func close(notifyPeer: Bool) {
        self.phase = .closed
        if notifyPeer {
            if let engine = self.engine {
                engine.shutdown()
                self.queueTransmits(of: engine)
            } else if let closeNotify = self.closeNotify {
                self.transmits.append(closeNotify)
            }
        }
        self.engine = nil
        self.closeNotify = nil
        self.srtp = nil
    }

    /// Encrypts the first `length` bytes of `buffer` in place; the buffer needs `SRTPContext.maxTrailer` more.
    /// Nil until connected.
    public func protect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, isRTCP: Bool
    ) -> Result<Int, SRTPFailure>? {
        self.srtp?.outbound.protect(buffer, length: length, isRTCP: isRTCP)
    }

    // MARK: Output

    /// True when `pollTransmit()` or `pollEvent()` has something: media never queues either, so its caller
    /// can skip draining them.
    public var hasQueuedOutput: Bool { !self.transmits.isEmpty || !self.events.isEmpty }

    /// The next datagram for the peer, on the selected path.
    public func pollTransmit() -> [UInt8]? {
        self.transmits.isEmpty ? nil : self.transmits.removeFirst()
    }

    public func pollEvent() -> SecureSessionEvent? {
        self.events.isEmpty ? nil : self.events.removeFirst()
    }

    /// When `handleTimeout(now:)` is next due: the next retransmission or the handshake deadline, whichever
    /// comes first, or the release. Nil when nothing is waiting on time.
    public func pollTimeout() -> ContinuousClock.Instant? {
        switch self.phase {
        case .handshaking(let deadline):
            return min(self.engine?.pollTimeout() ?? deadline, deadline)
        case .connected(.releaseDue(let since)):
            return since
        case .awaitingPath, .connected, .closing, .closed:
            return nil
        }
    }

    // MARK: Transitions

    private func handleDTLS(_ datagram: UnsafeRawBufferPointer, now: ContinuousClock.Instant) -> SecureReceipt {
        switch self.phase {
        case .closing, .closed:
            return .ignored
        case .awaitingPath:
            // A ClientHello before ICE announced the path: the handshake starts with it.
            self.beginHandshake(now: now)
        case .handshaking, .connected:
            break
        }
        guard let engine = self.engine else { return .dropped(.dtlsAfterRelease) }
        engine.handle(datagram, now: now)
        if engine.discardedLastDatagram { return .dropped(.dtlsUnauthenticated) }
        self.advance(engine, now: now)
        return .handshake
    }

    private func beginHandshake(now: ContinuousClock.Instant) {
        self.phase = .handshaking(deadline: now + self.settings.handshakeTimeout)
        self.events.append(.handshakeStarted)
    }

    /// Queues what the engine wrote and works out what its state means for the session.
    private func advance(_ engine: DTLSEngine, now: ContinuousClock.Instant) {
        self.queueTransmits(of: engine)
        switch engine.state {
        case .handshaking:
            break
        case .connected:
            // Connected already: a retransmitted Finished, answered by the queued flight.
            guard case .handshaking = self.phase else { return }
            self.installKeys(engine, now: now)
        case .failed(let reason):
            let isHandshake = if case .handshaking = self.phase { true } else { false }
            self.fail(isHandshake ? .handshake : .association, reason)
        case .closed:
            guard self.enterClosing() else { return }
            self.events.append(.peerClosed)
        }
    }

    private func installKeys(_ engine: DTLSEngine, now: ContinuousClock.Instant) {
        if let expected = self.remoteFingerprint, engine.peerCertificateSHA256 != expected {
            self.fail(.fingerprint, "the peer's certificate does not match the fingerprint it signaled")
            return
        }
        guard let keys = engine.srtpKeys(), let session = try? SRTPSession(keys: keys, role: engine.role) else {
            self.fail(.handshake, "no SRTP profile was negotiated")
            return
        }
        self.srtp = session
        self.phase = .connected(.kept(until: now + self.settings.releaseDelay))
        self.events.append(.connected(keys.profile))
    }

    private func fail(_ failure: SecureSessionFailure, _ detail: String) {
        guard self.enterClosing() else { return }
        self.events.append(.failed(failure, detail: detail))
    }

    /// Moves to `closing` unless the session is already on its way out; false then, and nothing is said twice.
    private func enterClosing() -> Bool {
        switch self.phase {
        case .closing, .closed:
            return false
        case .awaitingPath, .handshaking, .connected:
            self.phase = .closing
            return true
        }
    }

    private func queueTransmits(of engine: DTLSEngine) {
        while let datagram = engine.pollDatagram() { self.transmits.append(datagram) }
    }

    /// Keeps the SRTP contexts and a sealed close_notify, and frees the association.
    private func releaseEngine() {
        self.closeNotify = self.engine?.sealCloseNotify()
        self.engine = nil
        self.phase = .connected(.released)
        self.events.append(.released)
    }
}
