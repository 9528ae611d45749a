import Logging
import MuxCore
import MuxCrypto
import MuxICE
import MuxSecure
import MuxWire
import NIOConcurrencyHelpers
import Synchronization

/// Runs one session's `SecureSession` (DTLS-SRTP termination) for the mux, and hands decrypted RTP/RTCP to a
/// `MediaHandler`.
///
/// The decisions are the state machine's; this does what they ask. Datagrams, ticks and the close go into
/// the session under `lock`; its transmits go out through the session's `DatagramSender`, its next timeout
/// becomes a tick asked of the router, and its events become counters, logs, the media handler's
/// `handleMediaReady` and the session's close. DTLS reaches it only from tuples ICE authenticated (the router
/// delivers nothing else), and runs on the instants the mux gives: the receive batch's time and each tick's.
///
/// `@unchecked Sendable`: the state machine is only touched under `lock`, which only this session's packet
/// and timer work takes; the media handler and the router are called outside it, so a send cannot deadlock.
public final class SecureMediaHandler: SessionHandler, MediaSender, @unchecked Sendable {
    private let context: SessionContext
    private let media: any MediaHandler
    private let metrics: MediaMetrics
    private let logger: Logger
    private let lock = NIOLock()
    private let session: SecureSession
    /// The tick last asked of the router for `session.pollTimeout()`, so a packet asks again only when it
    /// moved: the router's lock is not taken per packet.
    /// Under `lock`, so the runtime's exclusivity check is left out (a thread-local lookup per access).
    @exclusivity(unchecked) private var askedTick: ContinuousClock.Instant?
    /// The session is connected; read without the lock by the API.
    private let ready = Atomic<Bool>(false)

    public init(
        context: SessionContext, dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger,
        media: any MediaHandler
    ) throws {
        self.context = context
        self.media = media
        self.metrics = metrics
        self.logger = logger
        self.session = try SecureSession(
            role: context.dtls.isServer ? .server : .client, dtls: dtls,
            remoteFingerprint: context.dtls.remoteFingerprint, settings: settings,
            consentConfirmationInterval: context.consentConfirmationInterval
        )
    }

    public var isReady: Bool { self.ready.load(ordering: .acquiring) }

    // MARK: SessionHandler

    public func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {
        // RTP and RTCP are decrypted in place, in the packet thread's receive buffer: no copy, no allocation.
        let (receipt, output) = self.lock.withLock {
            (self.session.handle(datagram, class: packetClass, now: now), self.drain(afterTick: false))
        }
        self.act(on: output)
        switch receipt {
        case .media(let length, let confirmsConsent):
            if confirmsConsent { self.context.sender.confirmConsent(on: tuple, now: now) }
            self.metrics.received(bytes: datagram.count)
            self.media.handleMedia(
                UnsafeRawBufferPointer(rebasing: datagram.prefix(length)), isRTCP: packetClass == .rtcp)
        case .dropped(let drop):
            self.metrics.record(MediaMetrics.drop(drop))
        case .handshake, .ignored:
            break
        }
    }

    public func handleTick(now: ContinuousClock.Instant) {
        // The first tick comes when ICE selected a path; a client can only start then.
        let hasPath = self.context.sender.hasPath
        let output = self.lock.withLock {
            if hasPath { self.session.handlePathSelected(now: now) }
            self.session.handleTimeout(now: now)
            return self.drain(afterTick: true)
        }
        self.act(on: output)
    }

    public func handleClose(reason: CloseReason) {
        self.ready.store(false, ordering: .releasing)
        // A polite close_notify when mediamux ends the session; the peer then stops at once. The session
        // has left the router, so it goes to the last selected tuple.
        let farewells = self.lock.withLock {
            self.session.close(notifyPeer: reason.isMediamuxs)
            return self.drain(afterTick: false).transmits
        }
        for datagram in farewells {
            datagram.withUnsafeBytes { _ = self.context.sender.sendFarewell($0) }
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
            let result = self.lock.withLock { self.session.protect(buffer, length: length, isRTCP: isRTCP) }
            guard case .success(let protected) = result else { return nil }
            protectedLength = protected
            return protected
        }
        if sent { self.metrics.sent(bytes: protectedLength) }
        return sent
    }

    // MARK: Driving the state machine

    /// What the state machine asked for, taken under the lock and done outside it.
    private struct Output {
        var transmits: [[UInt8]] = []
        var events: [SecureSessionEvent] = []
        var tick: ContinuousClock.Instant?

        var isEmpty: Bool { self.transmits.isEmpty && self.events.isEmpty && self.tick == nil }
    }

    /// Drains the session's transmits and events, and the tick to ask for if its timeout moved. A tick that
    /// came used up the last one asked for, so after one the next is asked for whatever it is.
    private func drain(afterTick: Bool) -> Output {
        var output = Output()
        // Not per media packet: those queue nothing.
        if self.session.hasQueuedOutput {
            while let datagram = self.session.pollTransmit() { output.transmits.append(datagram) }
            while let event = self.session.pollEvent() { output.events.append(event) }
        }
        if afterTick { self.askedTick = nil }
        if let timeout = self.session.pollTimeout(), timeout != self.askedTick {
            self.askedTick = timeout
            output.tick = timeout
        }
        return output
    }

    private func act(on output: Output) {
        guard !output.isEmpty else { return }
        for datagram in output.transmits { self.context.sender.send(datagram) }
        if let tick = output.tick { self.context.sender.scheduleTick(at: tick) }
        for event in output.events { self.act(on: event) }
    }

    private func act(on event: SecureSessionEvent) {
        switch event {
        case .handshakeStarted:
            self.metrics.record(.started)
        case .connected(let profile):
            self.metrics.record(.completed)
            self.logger.debug(
                "dtls connected", metadata: ["session": "\(self.context.id)", "profile": "\(profile.name)"])
            self.ready.store(true, ordering: .releasing)
            self.media.handleMediaReady(sender: self)
        case .released:
            self.metrics.recordRelease()
            self.logger.debug("dtls released", metadata: ["session": "\(self.context.id)"])
        case .failed(let failure, let detail):
            if let result = MediaMetrics.HandshakeResult(failure) { self.metrics.record(result) }
            self.close(.dtlsFailed, detail)
        case .peerClosed:
            self.close(.peerClosed, "the peer sent close_notify")
        }
    }

    private func close(_ reason: CloseReason, _ detail: String) {
        self.logger.info(
            "closing session",
            metadata: ["session": "\(self.context.id)", "reason": "\(reason.rawValue)", "detail": "\(detail)"]
        )
        self.context.sender.closeSession(reason: reason)
    }
}

extension CloseReason {
    /// Mediamux ended the session (a delete, the shutdown), so the peer is told with close_notify; in every
    /// other case the peer left, failed, or is gone.
    fileprivate var isMediamuxs: Bool { self == .deleted || self == .shutdown }
}
