import CMuxSockets
import Histogram
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a worker counted; workers' stats add up into the run's.
struct TrafficStats {
    var sent: UInt64 = 0
    var sentBytes: UInt64 = 0
    var sendFailures: UInt64 = 0
    var received: UInt64 = 0
    var receivedBytes: UInt64 = 0
    var reordered: UInt64 = 0
    var srtpFailures: UInt64 = 0
    /// Decrypted packets that were not this run's probes, or came from the wrong peer.
    var unexpected: UInt64 = 0
    var consentChecks: UInt64 = 0
    var consentAnswers: UInt64 = 0
    /// Nanoseconds from send to receive: round trip for echo, one way for room pairs.
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    mutating func add(_ other: TrafficStats) {
        self.sent += other.sent
        self.sentBytes += other.sentBytes
        self.sendFailures += other.sendFailures
        self.received += other.received
        self.receivedBytes += other.receivedBytes
        self.reordered += other.reordered
        self.srtpFailures += other.srtpFailures
        self.unexpected += other.unexpected
        self.consentChecks += other.consentChecks
        self.consentAnswers += other.consentAnswers
        self.latency.add(other.latency)
    }
}

/// Running totals the main thread reads for the progress line.
final class LiveCounters: Sendable {
    let sent = Atomic<UInt64>(0)
    let received = Atomic<UInt64>(0)
}

/// Drives a share of the peers on one thread: sends each peer's probes at `rate` per second, spread evenly
/// (the k-th packet of the worker is due at start + k / (peers × rate)), sends a consent check per peer every
/// `consentInterval`, and reads whatever comes back through one epoll set.
///
/// `@unchecked Sendable`: handed to its thread at start and read back only after that thread ended.
final class TrafficWorker: @unchecked Sendable {
    private let peers: [Peer]
    private let rate: Double
    private let size: Int
    private let consentInterval: Double?
    private let live: LiveCounters
    private(set) var stats = TrafficStats()

    init(peers: [Peer], rate: Double, size: Int, consentInterval: Duration?, live: LiveCounters) {
        self.peers = peers
        self.rate = rate
        self.size = size
        self.consentInterval = consentInterval.map {
            Double($0.components.seconds) * 1e9 + Double($0.components.attoseconds) / 1e9
        }
        self.live = live
    }

    /// Sends from `start` until `sendUntil`, then only receives until `stopAt` (monotonic nanoseconds).
    func run(start: UInt64, sendUntil: UInt64, stopAt: UInt64) {
        guard !self.peers.isEmpty else { return }
        let poller = mm_poller_create()
        defer { close(poller) }
        var byDescriptor: [Int32: Peer] = [:]
        for peer in self.peers {
            mm_poller_add(poller, peer.socket.descriptor)
            byDescriptor[peer.socket.descriptor] = peer
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        let ready = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        let batch = mm_batch_new(32, 2048)!
        defer {
            buffer.deallocate()
            ready.deallocate()
            mm_batch_free(batch)
        }
        let count = Double(self.peers.count)
        let packetInterval = self.rate > 0 ? 1e9 / (self.rate * count) : Double.infinity
        let checkInterval = self.consentInterval.map { $0 / count } ?? Double.infinity
        var packets: UInt64 = 0
        var checks: UInt64 = 0
        func due(_ number: UInt64, every interval: Double) -> UInt64 {
            interval.isFinite ? start &+ UInt64(Double(number) * interval) : UInt64.max
        }

        while true {
            let now = MonotonicClock.now()
            if now >= stopAt { break }
            if now < sendUntil {
                var burst = 0
                while burst < 64, due(packets, every: packetInterval) <= now {
                    self.sendProbe(from: self.peers[Int(packets % UInt64(self.peers.count))], buffer: buffer)
                    packets += 1
                    burst += 1
                }
                while burst < 64, due(checks, every: checkInterval) <= now {
                    self.sendConsentCheck(from: self.peers[Int(checks % UInt64(self.peers.count))])
                    checks += 1
                    burst += 1
                }
            }
            let wake =
                now < sendUntil
                ? min(due(packets, every: packetInterval), due(checks, every: checkInterval), sendUntil)
                : stopAt
            // epoll waits in whole milliseconds: sends due sooner leave together when it wakes, so the
            // generator never spins and leaves the CPU to the server it measures.
            let timeout = wake <= now ? 0 : Int32(min((wake - now + 999_999) / 1_000_000, 100))
            let count = mm_poller_wait(poller, ready, 256, timeout)
            for descriptor in UnsafeBufferPointer(start: ready, count: Int(count)) {
                if let peer = byDescriptor[descriptor] { self.drain(peer, batch: batch) }
            }
        }
    }

    private func sendProbe(from peer: Peer, buffer: UnsafeMutableRawBufferPointer) {
        let probe = Probe(
            sender: peer.index, sequence: UInt32(truncatingIfNeeded: peer.sent), sentAt: MonotonicClock.now())
        let length = probe.write(into: buffer, size: self.size)
        peer.sent += 1
        guard case .success(let protected) = peer.srtp.outbound.protect(buffer, length: length, isRTCP: false),
            peer.socket.send(UnsafeRawBufferPointer(rebasing: buffer.prefix(protected)))
        else {
            self.stats.sendFailures += 1
            return
        }
        self.stats.sent += 1
        self.stats.sentBytes += UInt64(protected)
        self.live.sent.wrappingAdd(1, ordering: .relaxed)
    }

    private func sendConsentCheck(from peer: Peer) {
        guard peer.ice != nil else { return }
        SetupKeepAlive.sendCheck(from: peer)
        self.stats.consentChecks += 1
    }

    /// Reads every queued datagram of the peer's socket, up to 32 per `recvmmsg`; over TCP, every whole
    /// frame the connection delivered.
    private func drain(_ peer: Peer, batch: OpaquePointer) {
        if peer.socket.isStream {
            let buffer = UnsafeMutableRawBufferPointer(start: mm_batch_slot(batch, 0), count: 2048)
            while let length = peer.socket.receive(into: buffer) {
                self.handle(buffer, length: length, at: MonotonicClock.now(), for: peer)
            }
            return
        }
        while true {
            let count = Int(mm_batch_receive(batch, peer.socket.descriptor))
            let receivedAt = MonotonicClock.now()
            for index in 0..<count {
                let buffer = UnsafeMutableRawBufferPointer(start: mm_batch_slot(batch, Int32(index)), count: 2048)
                self.handle(buffer, length: Int(mm_batch_length(batch, Int32(index))), at: receivedAt, for: peer)
            }
            if count < 32 { return }
        }
    }

    private func handle(_ buffer: UnsafeMutableRawBufferPointer, length: Int, at receivedAt: UInt64, for peer: Peer) {
        guard length > 0 else { return }
        switch buffer[0] {
        case 0...3:
            // A Binding success response (type 0x0101) answers a consent check.
            if length >= 2, buffer[0] == 0x01, buffer[1] == 0x01 { self.stats.consentAnswers += 1 }
        case 128...191:
            self.receiveMedia(UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(length)), at: receivedAt, for: peer)
        default:
            self.stats.unexpected += 1
        }
    }

    private func receiveMedia(_ packet: UnsafeMutableRawBufferPointer, at receivedAt: UInt64, for peer: Peer) {
        let isRTCP = packet.count > 1 && (192...223).contains(packet[1])
        guard case .success(let length) = peer.srtp.inbound.unprotect(packet, length: packet.count, isRTCP: isRTCP)
        else {
            self.stats.srtpFailures += 1
            return
        }
        guard !isRTCP else { return }
        guard let probe = Probe(rtp: UnsafeRawBufferPointer(rebasing: packet.prefix(length))),
            probe.sender == peer.source
        else {
            self.stats.unexpected += 1
            return
        }
        peer.received += 1
        if let highest = peer.highestReceived, probe.sequence < highest {
            peer.reordered += 1
            self.stats.reordered += 1
        } else {
            peer.highestReceived = probe.sequence
        }
        self.stats.received += 1
        self.stats.receivedBytes += UInt64(packet.count)
        self.live.received.wrappingAdd(1, ordering: .relaxed)
        _ = self.stats.latency.record(receivedAt > probe.sentAt ? receivedAt - probe.sentAt : 0)
    }
}
