import Benchmark
import BenchmarkSupport
import CoreMetrics
import Logging
import MuxCore
import MuxCrypto
import MuxICE
import MuxMedia
import MuxSecure
import MuxTestSupport
import MuxWire

// The whole media path of an `echo` session after routing: SecureMediaHandler unprotects a 1200-byte SRTP
// packet in the receive buffer, EchoMediaHandler sends it back, SecureMediaHandler copies it into the
// outgoing slot and protects it there. The peer's packets are protected before the measurement, so what is
// counted is mediamux's work alone. Its allocations should be exactly SRTP's (the SRTP benchmark's round
// trip): anything more is mediamux's own, and `thresholds check` fails on it.

let benchmarks: @Sendable () -> Void = {
    let packets = 20_000
    let echo = SecureEcho(packets: packets)
    var next = 0
    Benchmark(
        "Echo-SRTP-GCM-1200B",
        configuration: .init(
            metrics: Measured.metrics, timeUnits: .nanoseconds, warmupIterations: 10, scalingFactor: .one,
            maxDuration: .seconds(2), maxIterations: packets - 10, thresholds: Measured.tolerance
        )
    ) { _ in
        echo.deliver(next)
        next += 1
    }
}

/// A connected `echo` session and a list of SRTP packets from its peer, each to be delivered once.
final class SecureEcho {
    private let handler: SecureMediaHandler
    private let sender = SlotSender()
    private let receiveSlot = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
    private let packets: [[UInt8]]
    private let tuple = FiveTuple(socket: SocketID(1), remote: TransportAddress(ip: .v4(0x7F00_0001), port: 5000))

    init(packets count: Int) {
        do {
            let context = SessionContext(id: .random(), room: "bench", user: nil, sender: self.sender)
            var logger = Logger(label: "bench")
            logger.logLevel = .critical
            self.handler = try SecureMediaHandler(
                context: context, dtls: DTLSContext(certificate: .generate()), settings: MediaSettings(),
                metrics: MediaMetrics(factory: NOOPMetricsHandler.instance), logger: logger,
                media: EchoMediaHandler(mask: EchoSSRCMask(session: context.id))
            )
            let peer = try DTLSTestPeer(role: .client)
            let keys = Self.handshake(peer, with: self.handler, through: self.sender, tuple: self.tuple)
            self.sender.keepsCopies = false
            let srtp = try SRTPSession(keys: keys, role: .client)
            self.packets = (0..<count).map {
                Self.protectedRTP(sequence: UInt16(truncatingIfNeeded: $0), with: srtp.outbound)
            }
        } catch {
            fatalError("cannot set up an echo session: \(error)")
        }
    }

    /// Delivers packet `index` as the packet thread would: copied into the receive slot, then handed over.
    /// Each packet once: the session's replay window refuses it the second time.
    func deliver(_ index: Int) {
        precondition(index < self.packets.count, "more iterations than packets")
        let packet = self.packets[index]
        let datagram = UnsafeMutableRawBufferPointer(rebasing: self.receiveSlot.prefix(packet.count))
        datagram.copyBytes(from: packet)
        self.sender.lastLength = 0
        self.handler.handleDatagram(datagram, class: .rtp, from: self.tuple, now: .now)
        precondition(self.sender.lastLength == packet.count, "the echo was not sent")
    }

    private static func handshake(
        _ peer: DTLSTestPeer, with handler: SecureMediaHandler, through sender: SlotSender, tuple: FiveTuple
    ) -> SRTPKeyMaterial {
        // The handler answers within `send`, so its flight is already queued when the peer asks for it.
        var flight: [[UInt8]] = []
        let state = peer.handshake(
            timeout: .seconds(5),
            send: { datagram in
                var datagram = datagram
                datagram.withUnsafeMutableBytes { handler.handleDatagram($0, class: .dtls, from: tuple, now: .now) }
            }
        ) { _ in
            if flight.isEmpty { flight = sender.takeQueued() }
            return flight.isEmpty ? nil : flight.removeFirst()
        }
        guard state == .connected, handler.isReady, let keys = peer.engine.srtpKeys() else {
            fatalError("the DTLS handshake did not complete: \(state)")
        }
        return keys
    }

    private static func protectedRTP(sequence: UInt16, with context: SRTPContext) -> [UInt8] {
        var packet =
            [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0, 0x12, 0x34, 0x56, 0x78]
            + [UInt8](repeating: 0xAA, count: 1188) + [UInt8](repeating: 0, count: SRTPContext.maxTrailer)
        let result = packet.withUnsafeMutableBytes { context.protect($0, length: 1200, isRTCP: false) }
        guard case .success(let length) = result else { fatalError("protect failed") }
        return Array(packet.prefix(length))
    }
}

/// A sender with one outgoing slot, as the packet thread's outbox has. During the handshake it keeps copies of
/// what is sent so the peer can read them; afterwards it only remembers the last length.
final class SlotSender: DatagramSender, @unchecked Sendable {
    private let slot = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
    private var queued: [[UInt8]] = []
    /// True during the handshake.
    var keepsCopies = true
    var lastLength = 0

    var hasPath: Bool { true }

    func closeSession(reason: CloseReason) {}

    func scheduleTick(at instant: ContinuousClock.Instant) {}

    func confirmConsent(on tuple: FiveTuple, now: ContinuousClock.Instant) {}

    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool { false }

    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool {
        guard let length = write(UnsafeMutableRawBufferPointer(rebasing: self.slot.prefix(capacity))) else {
            return false
        }
        self.lastLength = length
        if self.keepsCopies { self.queued.append(Array(self.slot.prefix(length))) }
        return true
    }

    /// What was sent since the last call.
    func takeQueued() -> [[UInt8]] {
        defer { self.queued.removeAll() }
        return self.queued
    }
}
