import Logging
import MuxCore
import MuxCrypto
import MuxICE
import MuxWire
import NIOConcurrencyHelpers
import Synchronization

/// DTLS and SRTP limits; defaults match docs/configuration.md.
public struct MediaSettings: Sendable {
    /// Largest DTLS datagram mediamux sends.
    public var mtu = 1200
    /// A handshake that has not finished this long after ICE found a path closes the session (`dtls_failed`).
    public var handshakeTimeout: Duration = .seconds(10)
    /// The DTLS association is kept at least this long after the handshake, whatever SRTP arrives first:
    /// long enough for a peer whose copy of our last flight was lost to retransmit its own (its first
    /// retransmission timeout is 1 s) and still get an answer.
    public var releaseDelay: Duration = .seconds(2)

    public init() {}
}

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
/// that did lose it retransmit its own and get ours again. OpenSSL's buffers are most of a session's memory. What stays is the SRTP contexts and a close_notify sealed at that moment,
/// sent if mediamux ends the session. Any DTLS record after that is dropped and counted
/// (`dtls_after_release`): a reordered flight or a forgery, which can no longer be authenticated. A peer
/// that closes then leaves through consent freshness or signaling instead of its close_notify.
///
/// `@unchecked Sendable`: the DTLS engine and SRTP contexts are only touched under `lock`; the media
/// handler is called outside it, so it may send without deadlock.
public final class SecureMediaHandler: SessionHandler, MediaSender, @unchecked Sendable {
    private let context: SessionContext
    private let media: any MediaHandler
    private let settings: MediaSettings
    private let metrics: MediaMetrics
    private let logger: Logger
    private let lock = NIOLock()
    /// The DTLS association, until the peer's first authenticated SRTP or SRTCP packet.
    private var engine: DTLSEngine?
    /// The close_notify sealed when the association was released, for `handleClose`.
    private var closeNotify: [UInt8]?
    private var srtp: SRTPSession?
    /// Until when the association is kept whatever SRTP arrives (the handshake's end plus `releaseDelay`).
    private var keepEngineUntil: ContinuousClock.Instant?
    /// SRTP proved the handshake done; the association is freed on the next tick, off the packet thread.
    private var releaseDue = false
    private var handshakeDeadline: ContinuousClock.Instant?
    /// The handshake ended, with keys or without: its timers stop.
    private var handshakeSettled = false
    /// The session is closing (asked for here, or told by `handleClose`): nothing more to report.
    private var closing = false
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
            let outcome = self.lock.withLock { () -> Outcome in
                guard let engine = self.engine else { return .drop(.dtlsAfterRelease) }
                self.beginHandshake(now: now)
                _ = engine.handle(UnsafeRawBufferPointer(datagram))
                if engine.discardedLastDatagram { return .drop(.dtlsUnauthenticated) }
                return self.advance(engine, now: now)
            }
            self.act(on: outcome)
        case .rtp, .rtcp:
            // Decrypted in place, in the I/O thread's receive buffer: no copy, no allocation.
            let isRTCP = packetClass == .rtcp
            var confirmsConsent = false
            let result: Result<Int, SRTPFailure>? = self.lock.withLock {
                guard let srtp = self.srtp else { return nil }
                let result = srtp.inbound.unprotect(datagram, length: datagram.count, isRTCP: isRTCP)
                if case .success = result, now >= self.nextConsentConfirmation ?? now {
                    self.nextConsentConfirmation = now + self.context.consentConfirmationInterval
                    confirmsConsent = true
                }
                if case .success = result, !self.releaseDue, self.engine != nil, let keep = self.keepEngineUntil, now >= keep {
                    // Not on the packet thread: in one run, 10,000 freed there as traffic began went with 2 % loss.
                    self.releaseDue = true
                    self.context.sender.scheduleTick(at: now)
                }
                return result
            }
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
        let outcome = self.lock.withLock { () -> Outcome in
            if self.releaseDue, self.engine != nil, !self.closing {
                self.releaseEngine()
                return .nothing
            }
            guard !self.handshakeSettled, !self.closing, let engine = self.engine else { return .nothing }
            if self.handshakeDeadline == nil {
                // The first tick comes when ICE selected a path; a client can only start then.
                guard self.context.sender.hasPath else { return .nothing }
                self.beginHandshake(now: now)
                if engine.role == .client { engine.start() }
            }
            if let deadline = self.handshakeDeadline, now >= deadline {
                self.settle(closing: true)
                self.metrics.record(.failedTimeout)
                return .close(.dtlsFailed, "no DTLS handshake within \(self.settings.handshakeTimeout)")
            }
            if let timeout = engine.pollTimeout(), timeout <= .zero {
                engine.handleTimeout()
            }
            return self.advance(engine, now: now)
        }
        self.act(on: outcome)
    }

    public func handleClose(reason: CloseReason) {
        self.ready.store(false, ordering: .releasing)
        self.lock.withLock {
            self.settle(closing: true)
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

    // MARK: Handshake, under the lock

    private enum Outcome {
        case nothing
        case ready
        case drop(MediaMetrics.Drop)
        case close(CloseReason, String)
    }

    private func beginHandshake(now: ContinuousClock.Instant) {
        guard self.handshakeDeadline == nil else { return }
        self.handshakeDeadline = now + self.settings.handshakeTimeout
        self.metrics.record(.started)
    }

    /// Sends what the engine queued and works out what its state means for the session; while it handshakes,
    /// asks for a tick at its next retransmission or the deadline, whichever comes first.
    private func advance(_ engine: DTLSEngine, now: ContinuousClock.Instant) -> Outcome {
        self.flush(engine)
        switch engine.state {
        case .handshaking:
            if let deadline = self.handshakeDeadline {
                let retransmission = engine.pollTimeout().map { now + max($0, .zero) } ?? deadline
                self.context.sender.scheduleTick(at: min(retransmission, deadline))
            }
            return .nothing
        case .connected:
            guard self.srtp == nil, !self.closing else { return .nothing }
            self.keepEngineUntil = now + self.settings.releaseDelay
            return self.installKeys(engine)
        case .failed(let reason):
            guard !self.closing else { return .nothing }
            // A failure after the keys were in place is the record layer's, not the handshake's.
            if !self.handshakeSettled { self.metrics.record(.failedHandshake) }
            self.settle(closing: true)
            return .close(.dtlsFailed, reason)
        case .closed:
            guard !self.closing else { return .nothing }
            self.settle(closing: true)
            return .close(.peerClosed, "the peer sent close_notify")
        }
    }

    private func settle(closing: Bool) {
        self.handshakeSettled = true
        if closing { self.closing = true }
    }

    private func installKeys(_ engine: DTLSEngine) -> Outcome {
        if let expected = self.context.dtls.remoteFingerprint, engine.peerCertificateSHA256 != expected {
            self.settle(closing: true)
            self.metrics.record(.failedFingerprint)
            return .close(.dtlsFailed, "the peer's certificate does not match the fingerprint it signaled")
        }
        guard let keys = engine.srtpKeys(), let session = try? SRTPSession(keys: keys, role: engine.role) else {
            self.settle(closing: true)
            self.metrics.record(.failedHandshake)
            return .close(.dtlsFailed, "no SRTP profile was negotiated")
        }
        self.srtp = session
        self.settle(closing: false)
        self.metrics.record(.completed)
        self.logger.debug("dtls connected", metadata: ["session": "\(self.context.id)", "profile": "\(keys.profile.name)"])
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
            self.logger.info("closing session", metadata: [
                "session": "\(self.context.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)",
            ])
            self.context.sender.closeSession(reason: reason)
        }
    }
}
