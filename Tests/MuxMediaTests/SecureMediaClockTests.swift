import Logging
import MetricsTestKit
import MuxCore
import MuxCrypto
import MuxICE
import MuxMedia
import MuxSecure
import MuxTestSupport
import MuxWire
import Testing

/// What a handler asked of its session, kept for the test to read: no router, no sockets.
final class RecordingSender: DatagramSender, @unchecked Sendable {
    var hasPath = true
    private(set) var sent: [[UInt8]] = []
    private(set) var farewells: [[UInt8]] = []
    private(set) var ticks: [ContinuousClock.Instant] = []
    private(set) var closeReasons: [CloseReason] = []

    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        guard self.hasPath, let length = write(buffer) else { return false }
        self.sent.append(Array(buffer.prefix(length)))
        return true
    }

    func closeSession(reason: CloseReason) { self.closeReasons.append(reason) }
    func scheduleTick(at instant: ContinuousClock.Instant) { self.ticks.append(instant) }
    func confirmConsent(on tuple: FiveTuple, now: ContinuousClock.Instant) {}

    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool {
        self.farewells.append(Array(datagram))
        return true
    }

    /// What was sent since the last call.
    func takeSent() -> [[UInt8]] {
        defer { self.sent.removeAll() }
        return self.sent
    }
}

/// A `SecureMediaHandler` in front of the echo, driven by hand on a clock that moves only when the test says,
/// against the in-process DTLS peer.
struct ClockedEcho {
    let start = ContinuousClock.now
    let sender = RecordingSender()
    let metrics = TestMetrics()
    let handler: SecureMediaHandler
    let peer: DTLSTestPeer
    let tuple = FiveTuple(socket: SocketID(1), remote: TransportAddress(ip: .v4(0x7F00_0001), port: 5000))

    /// The closes these tests cause on purpose are not news.
    static let quietLogger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    init(mediamuxIsServer: Bool = true, fingerprint: [UInt8]? = nil) throws {
        self.peer = try DTLSTestPeer(role: mediamuxIsServer ? .client : .server)
        let context = SessionContext(
            id: .random(), room: "r", user: nil, sender: self.sender,
            dtls: DTLSParameters(isServer: mediamuxIsServer, remoteFingerprint: fingerprint)
        )
        self.handler = try SecureMediaHandler(
            context: context, dtls: DTLSContext(certificate: .generate()), settings: MediaSettings(),
            metrics: MediaMetrics(factory: self.metrics), logger: Self.quietLogger,
            media: EchoMediaHandler(mask: EchoSSRCMask(session: context.id))
        )
    }

    /// Hands the peer's queued datagrams to the handler, as the router would, at `now`.
    func deliverPeer(at now: ContinuousClock.Instant) {
        while var datagram = self.peer.engine.pollDatagram() {
            datagram.withUnsafeMutableBytes {
                self.handler.handleDatagram($0, class: .dtls, from: self.tuple, now: now)
            }
        }
    }

    /// Hands what the handler sent to the peer, at `now`.
    func deliverHandler(at now: ContinuousClock.Instant) {
        for datagram in self.sender.takeSent() {
            datagram.withUnsafeBytes { _ = self.peer.engine.handle($0, now: now) }
        }
    }

    /// Moves datagrams both ways at `now` until neither side has more.
    func exchange(at now: ContinuousClock.Instant) {
        for _ in 0..<10 {
            self.deliverPeer(at: now)
            guard !self.sender.sent.isEmpty else { return }
            self.deliverHandler(at: now)
        }
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        (try? self.metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }

    /// SRTP from the peer at `now`; returns the echo the handler sent, decrypted, if any.
    func echo(_ sequence: UInt16, with srtp: SRTPSession, at now: ContinuousClock.Instant) throws -> [UInt8]? {
        var secret = try #require(SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: sequence), with: srtp.outbound))
        secret.withUnsafeMutableBytes { self.handler.handleDatagram($0, class: .rtp, from: self.tuple, now: now) }
        guard let echoed = self.sender.takeSent().last else { return nil }
        return try? SRTPTestPacket.unprotect(echoed, with: srtp.inbound).get()
    }
}

@Suite struct SecureMediaClockTests {
    /// ICE found a path, then DTLS against the peer with mediamux's first flight lost: retransmitted on the
    /// tick it asked for, at 1 s of the given clock; then SRTP both ways.
    @Test func retransmitsALostFlightOnTheTickItAskedForThenEchoesSRTP() throws {
        let echo = try ClockedEcho()
        echo.handler.handleTick(now: echo.start)
        echo.peer.engine.start(now: echo.start)
        echo.deliverPeer(at: echo.start)
        let lost = echo.sender.takeSent()
        #expect(!lost.isEmpty)
        #expect(echo.sender.ticks.last == echo.start + .seconds(1), "OpenSSL's first retransmission timeout")
        echo.handler.handleTick(now: echo.start + .milliseconds(980))
        #expect(echo.sender.sent.isEmpty, "not due yet (OpenSSL counts the last 15 ms as due)")
        echo.handler.handleTick(now: echo.start + .seconds(1))
        #expect(echo.sender.sent.count == lost.count && echo.sender.sent != lost)
        echo.deliverHandler(at: echo.start + .seconds(1))
        echo.exchange(at: echo.start + .seconds(1))
        #expect(echo.handler.isReady)
        #expect(echo.peer.engine.state == .connected)
        #expect(echo.counter("mediamux_dtls_handshakes_total", [("result", "completed")]) == 1)

        let srtp = try echo.peer.srtpSession()
        let plain = SRTPTestPacket.rtp(sequence: 1)
        let echoed = try #require(try echo.echo(1, with: srtp, at: echo.start + .seconds(1)))
        #expect(echoed.count == plain.count && echoed[12...] == plain[12...])
    }

    @Test func closesWhenTheHandshakeDeadlinePassesOnTheGivenClock() throws {
        let echo = try ClockedEcho()
        echo.handler.handleTick(now: echo.start)
        echo.handler.handleTick(now: echo.start + .milliseconds(9_999))
        #expect(echo.sender.closeReasons.isEmpty)
        echo.handler.handleTick(now: echo.start + .seconds(10))
        #expect(echo.sender.closeReasons == [.dtlsFailed])
        #expect(echo.counter("mediamux_dtls_handshakes_total", [("result", "failed_timeout")]) == 1)
        echo.handler.handleTick(now: echo.start + .seconds(11))
        #expect(echo.sender.closeReasons == [.dtlsFailed], "asked once")
    }

    @Test func asClientItStartsOnlyOnceICEFoundAPath() throws {
        let echo = try ClockedEcho(mediamuxIsServer: false)
        echo.sender.hasPath = false
        echo.handler.handleTick(now: echo.start)
        #expect(
            echo.sender.sent.isEmpty && echo.counter("mediamux_dtls_handshakes_total", [("result", "started")]) == 0)
        echo.sender.hasPath = true
        echo.handler.handleTick(now: echo.start + .seconds(1))
        #expect(echo.sender.sent.count == 1, "the ClientHello")
        echo.deliverHandler(at: echo.start + .seconds(1))
        echo.exchange(at: echo.start + .seconds(1))
        #expect(echo.handler.isReady && echo.peer.engine.state == .connected)
    }

    @Test func thePeersCloseNotifyClosesTheSession() throws {
        let echo = try ClockedEcho()
        echo.handler.handleTick(now: echo.start)
        echo.peer.engine.start(now: echo.start)
        echo.exchange(at: echo.start)
        #expect(echo.handler.isReady)
        echo.peer.engine.shutdown()
        echo.deliverPeer(at: echo.start + .seconds(1))
        #expect(echo.sender.closeReasons == [.peerClosed])
    }

    @Test func aCertificateThatIsNotTheSignaledOneFailsTheHandshake() throws {
        let echo = try ClockedEcho(fingerprint: [UInt8](repeating: 7, count: 32))
        echo.handler.handleTick(now: echo.start)
        echo.peer.engine.start(now: echo.start)
        echo.exchange(at: echo.start)
        #expect(!echo.handler.isReady)
        #expect(echo.sender.closeReasons == [.dtlsFailed])
        #expect(echo.counter("mediamux_dtls_handshakes_total", [("result", "failed_fingerprint")]) == 1)
    }

    /// The association goes on the tick after the first SRTP at least 2 s after the handshake; a DTLS record after
    /// that is counted and unanswered, and a delete sends the close_notify sealed at release.
    @Test func releasesTheAssociationOnTheGivenClock() throws {
        let echo = try ClockedEcho()
        echo.handler.handleTick(now: echo.start)
        echo.peer.engine.start(now: echo.start)
        echo.exchange(at: echo.start)
        let srtp = try echo.peer.srtpSession()
        let ticksAtHandshake = echo.sender.ticks.count
        _ = try echo.echo(1, with: srtp, at: echo.start + .milliseconds(1_999))
        #expect(echo.sender.ticks.count == ticksAtHandshake, "kept whatever SRTP arrives")
        _ = try echo.echo(2, with: srtp, at: echo.start + .seconds(2))
        #expect(echo.sender.ticks.last == echo.start + .seconds(2))
        echo.handler.handleTick(now: echo.start + .seconds(2))
        #expect(echo.counter("mediamux_dtls_released_total") == 1)
        var record = [UInt8](ForgedDTLSRecord.shapes[0].datagram)
        record.withUnsafeMutableBytes {
            echo.handler.handleDatagram($0, class: .dtls, from: echo.tuple, now: echo.start + .seconds(3))
        }
        #expect(echo.counter("mediamux_media_dropped_total", [("reason", "dtls_after_release")]) == 1)
        echo.handler.handleClose(reason: .deleted)
        let farewell = try #require(echo.sender.farewells.first)
        #expect(farewell.withUnsafeBytes { echo.peer.engine.handle($0, now: echo.start + .seconds(3)) } == .closed)
    }

    /// Every close reason: a close_notify goes only when mediamux ended the session (a delete, the shutdown).
    @Test(arguments: CloseReason.allCases)
    func sendsCloseNotifyOnlyWhenMediamuxEndsTheSession(reason: CloseReason) throws {
        let echo = try ClockedEcho()
        echo.handler.handleTick(now: echo.start)
        echo.peer.engine.start(now: echo.start)
        echo.exchange(at: echo.start)
        #expect(echo.handler.isReady)
        echo.handler.handleClose(reason: reason)
        #expect(!echo.handler.isReady)
        let notifies = reason == .deleted || reason == .shutdown
        #expect(echo.sender.farewells.count == (notifies ? 1 : 0))
        if let farewell = echo.sender.farewells.first {
            #expect(farewell.withUnsafeBytes { echo.peer.engine.handle($0, now: echo.start) } == .closed)
        }
        #expect(echo.sender.sent.isEmpty && echo.sender.closeReasons.isEmpty, "the close was not the handler's")
    }
}
