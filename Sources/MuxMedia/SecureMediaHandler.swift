import Logging
import MuxCore
import MuxCrypto
import MuxICE
import MuxWire
import NIOConcurrencyHelpers
import Synchronization

/// Terminates DTLS-SRTP for one session and hands decrypted RTP/RTCP to a `MediaHandler`.
///
/// DTLS datagrams reach it only from tuples ICE authenticated (the router delivers nothing else). After
/// the handshake the peer's certificate must match the fingerprint it signaled; then SRTP keys come from
/// the DTLS exporter. Retransmissions and the handshake deadline run on timer ticks it asks for.
/// A source address proves nothing, so once connected a datagram whose records do not authenticate is
/// dropped and counted (`dtls_unauthenticated`); only the peer's own close_notify or fatal alert ends it.
///
/// The DTLS association is released after the first SRTP or SRTCP packet that authenticates at least
/// `releaseDelay` (2 s) after the handshake, on the next timer tick: such a packet proves the peer has its
/// keys, and a conforming peer sends none before it received our last flight; the delay still lets a peer
/// that did lose it retransmit its own and get ours again. OpenSSL's buffers are most of a session's memory.
/// What stays is the SRTP contexts and a close_notify sealed at that moment, sent if mediamux ends the session. Any DTLS record after that is dropped and counted
/// (`dtls_after_release`): a reordered flight or a forgery, which can no longer be authenticated. A peer
/// that closes then leaves through consent freshness or signaling instead of its close_notify.
///
/// Its life is one `SecurePhase`; each event (a datagram, a tick, the close) moves it under `lock` and returns
/// an `Outcome` that is acted on outside it. The DTLS engine runs on the instants the mux gives: the receive
/// batch's time and each tick's.
///
/// `@unchecked Sendable`: the phase, the DTLS engine and the SRTP contexts are only touched under `lock`; the
/// media handler is called outside it, so it may send without deadlock.
public final class SecureMediaHandler: SessionHandler, MediaSender, @unchecked Sendable {
    private let context: SessionContext
    private let media: any MediaHandler
    private let settings: MediaSettings
    private let metrics: MediaMetrics
    private let logger: Logger
    private let lock = NIOLock()
    private var phase = SecurePhase.awaitingPath
    /// The DTLS association, until it is released or the session closes.
    private var engine: DTLSEngine?
    /// The close_notify sealed when the association was released, for `handleClose`.
    private var closeNotify: [UInt8]?
    private var srtp: SRTPSession?
    /// The phase is connected; read without the lock by the API.
    private let ready = Atomic<Bool>(false)
    /// When authenticated media may next refresh consent (`SessionContext.consentConfirmationInterval`),
    /// so the router's lock is not taken per packet.
    private var nextConsentConfirmation: ContinuousClock.Instant?

    public init(
        context: SessionContext, dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger,
        media: any MediaHandler
    ) throws {
        self.context = context
        self.media = media
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.engine = try DTLSEngine(context: dtls, role: context.dtls.isServer ? .server : .client, mtu: settings.mtu)
    }

    public var isReady: Bool { self.ready.load(ordering: .acquiring) }

    // MARK: SessionHandler

    public func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {
        switch packetClass {
        case .dtls:
            let outcome = self.lock.withLock { self.receiveDTLS(UnsafeRawBufferPointer(datagram), now: now) }
            self.act(on: outcome)
        case .rtp, .rtcp:
            // Decrypted in place, in the I/O thread's receive buffer: no copy, no allocation.
            let isRTCP = packetClass == .rtcp
            var confirmsConsent = false
            var releaseDue = false
            let result: Result<Int, SRTPFailure>? = self.lock.withLock {
                guard let srtp = self.srtp else { return nil }
                let result = srtp.inbound.unprotect(datagram, length: datagram.count, isRTCP: isRTCP)
                guard case .success = result else { return result }
                if now >= self.nextConsentConfirmation ?? now {
                    self.nextConsentConfirmation = now + self.context.consentConfirmationInterval
                    confirmsConsent = true
                }
                if case .connected(.kept(let until)) = self.phase, now >= until {
                    // Not on the packet thread: in one run, 10,000 freed there as traffic began went with 2 % loss.
                    self.phase = .connected(.releaseDue)
                    releaseDue = true
                }
                return result
            }
            // Outside the lock: the router's lock, and perhaps a wake-up of the timer thread.
            if releaseDue { self.context.sender.scheduleTick(at: now) }
            switch result {
            case nil:
                self.metrics.record(.notReady)
            case .failure(let failure):
                self.metrics.record(MediaMetrics.drop(failure))
            case .success(let length):
                if confirmsConsent { self.context.sender.confirmConsent(on: tuple, now: now) }
                self.metrics.received(bytes: datagram.count)
                self.media.handleMedia(UnsafeRawBufferPointer(rebasing: datagram.prefix(length)), isRTCP: isRTCP)
            }
        case .stun, .unknown:
            break
        }
    }

    public func handleTick(now: ContinuousClock.Instant) {
        let outcome = self.lock.withLock { self.tick(now: now) }
        self.act(on: outcome)
    }

    public func handleClose(reason: CloseReason) {
        self.ready.store(false, ordering: .releasing)
        self.lock.withLock {
            self.phase = .closed
            // A polite close_notify when mediamux ends the session; the peer then stops at once. The session
            // has left the router, so it goes to the last selected tuple.
            if reason == .deleted || reason == .shutdown {
                if let engine = self.engine {
                    engine.shutdown()
                    self.flush(engine, farewell: true)
                } else if let closeNotify = self.closeNotify {
                    closeNotify.withUnsafeBytes { _ = self.context.sender.sendFarewell($0) }
                }
            }
            self.engine = nil
            self.closeNotify = nil
            self.srtp = nil
        }
        self.media.handleClose(reason: reason)
    }

    // MARK: MediaSender

    /// Copies the plaintext into the outgoing datagram and encrypts it there.
    @discardableResult
    public func sendMedia(
        _ packet: UnsafeRawBufferPointer, isRTCP: Bool, rewrite: (UnsafeMutableRawBufferPointer) -> Void
    ) -> Bool {
        let length = packet.count
        var protectedLength = 0
        let sent = self.context.sender.send(capacity: length + SRTPContext.maxTrailer) { buffer in
            buffer.copyMemory(from: packet)
            rewrite(UnsafeMutableRawBufferPointer(rebasing: buffer[..<length]))
            let result = self.lock.withLock { self.srtp?.outbound.protect(buffer, length: length, isRTCP: isRTCP) }
            guard case .success(let protected) = result else { return nil }
            protectedLength = protected
            return protected
        }
        if sent { self.metrics.sent(bytes: protectedLength) }
        return sent
    }

    // MARK: Transitions, under the lock

    /// What the handler does once the lock is released.
    private enum Outcome {
        case nothing
        case ready
        case drop(MediaMetrics.Drop)
        case close(CloseReason, String)
    }

    private func receiveDTLS(_ datagram: UnsafeRawBufferPointer, now: ContinuousClock.Instant) -> Outcome {
        switch self.phase {
        case .closing, .closed:
            return .nothing
        case .awaitingPath:
            // A ClientHello before the tick that announces the path: the handshake starts with it.
            self.beginHandshake(now: now)
        case .handshaking, .connected:
            break
        }
        guard let engine = self.engine else { return .drop(.dtlsAfterRelease) }
        engine.handle(datagram, now: now)
        if engine.discardedLastDatagram { return .drop(.dtlsUnauthenticated) }
        return self.advance(engine, now: now)
    }

    private func tick(now: ContinuousClock.Instant) -> Outcome {
        switch self.phase {
        case .connected(.releaseDue):
            self.releaseEngine()
            return .nothing
        case .connected, .closing, .closed:
            return .nothing
        case .awaitingPath:
            // The first tick comes when ICE selected a path; a client can only start then.
            guard self.context.sender.hasPath, let engine = self.engine else { return .nothing }
            self.beginHandshake(now: now)
            if engine.role == .client { engine.start(now: now) }
            return self.advance(engine, now: now)
        case .handshaking(let deadline):
            guard let engine = self.engine else { return .nothing }
            if now >= deadline {
                self.phase = .closing
                self.metrics.record(.failedTimeout)
                return .close(.dtlsFailed, "no DTLS handshake within \(self.settings.handshakeTimeout)")
            }
            // Retransmits the last flight only if its timer is due by `now`.
            engine.handleTimeout(now: now)
            return self.advance(engine, now: now)
        }
    }

    private func beginHandshake(now: ContinuousClock.Instant) {
        self.phase = .handshaking(deadline: now + self.settings.handshakeTimeout)
        self.metrics.record(.started)
    }

    /// Sends what the engine queued and works out what its state means for the session; while it handshakes,
    /// asks for a tick at its next retransmission or the deadline, whichever comes first.
    private func advance(_ engine: DTLSEngine, now: ContinuousClock.Instant) -> Outcome {
        self.flush(engine)
        switch engine.state {
        case .handshaking:
            if case .handshaking(let deadline) = self.phase {
                self.context.sender.scheduleTick(at: min(engine.pollTimeout() ?? deadline, deadline))
            }
            return .nothing
        case .connected:
            // Connected already: a retransmitted Finished, answered by the flush.
            guard case .handshaking = self.phase else { return .nothing }
            return self.installKeys(engine, now: now)
        case .failed(let reason):
            // A failure after the keys were in place is the record layer's, not the handshake's.
            if case .handshaking = self.phase { self.metrics.record(.failedHandshake) }
            return self.close(.dtlsFailed, reason)
        case .closed:
            return self.close(.peerClosed, "the peer sent close_notify")
        }
    }

    private func close(_ reason: CloseReason, _ detail: String) -> Outcome {
        switch self.phase {
        case .closing, .closed:
            return .nothing
        case .awaitingPath, .handshaking, .connected:
            self.phase = .closing
            return .close(reason, detail)
        }
    }

    private func installKeys(_ engine: DTLSEngine, now: ContinuousClock.Instant) -> Outcome {
        if let expected = self.context.dtls.remoteFingerprint, engine.peerCertificateSHA256 != expected {
            self.metrics.record(.failedFingerprint)
            return self.close(.dtlsFailed, "the peer's certificate does not match the fingerprint it signaled")
        }
        guard let keys = engine.srtpKeys(), let session = try? SRTPSession(keys: keys, role: engine.role) else {
            self.metrics.record(.failedHandshake)
            return self.close(.dtlsFailed, "no SRTP profile was negotiated")
        }
        self.srtp = session
        self.phase = .connected(.kept(until: now + self.settings.releaseDelay))
        self.metrics.record(.completed)
        self.logger.debug(
            "dtls connected", metadata: ["session": "\(self.context.id)", "profile": "\(keys.profile.name)"])
        return .ready
    }

    /// Sends what the engine queued; `farewell` once the session has left the router (`handleClose`).
    private func flush(_ engine: DTLSEngine, farewell: Bool = false) {
        while let datagram = engine.pollDatagram() {
            if farewell {
                datagram.withUnsafeBytes { _ = self.context.sender.sendFarewell($0) }
            } else {
                self.context.sender.send(datagram)
            }
        }
    }

    /// Keeps the SRTP contexts and a sealed close_notify, and frees the association.
    private func releaseEngine() {
        self.closeNotify = self.engine?.sealCloseNotify()
        self.engine = nil
        self.phase = .connected(.released)
        self.metrics.recordRelease()
        self.logger.debug("dtls released", metadata: ["session": "\(self.context.id)"])
    }

    // MARK: Outside the lock

    private func act(on outcome: Outcome) {
        switch outcome {
        case .nothing:
            break
        case .drop(let reason):
            self.metrics.record(reason)
        case .ready:
            self.ready.store(true, ordering: .releasing)
            self.media.handleMediaReady(sender: self)
        case .close(let reason, let detail):
            self.logger.info(
                "closing session",
                metadata: [
                    "session": "\(self.context.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)",
                ])
            self.context.sender.closeSession(reason: reason)
        }
    }
}
