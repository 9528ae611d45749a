#if canImport(Glibc)
import Glibc
#endif
import Metrics
import MuxCore
import MuxICE
import MuxWire
import Synchronization

/// Sends a session's datagrams to its selected 5-tuple, from the endpoint (local address and port) that
/// tuple arrived on. On an I/O thread a datagram joins the thread's outbox and leaves with the batch;
/// elsewhere it is sent at once. The destination is built once and reused until the selection moves.
final class SessionSender: DatagramSender {
    private struct Route {
        let tuple: FiveTuple
        let endpoint: Endpoint
        let destination: sockaddr_storage
        let length: socklen_t
    }

    private let id: SessionID
    private let router: SessionRouter
    private let registry: SocketRegistry
    private let counters: SessionCounters
    /// The residence histogram of this session's handler.
    private let residence: Timer?
    private let route = Mutex<Route?>(nil)
    private let closer: @Sendable (SessionID, CloseReason) -> Void

    init(
        id: SessionID, router: SessionRouter, registry: SocketRegistry, counters: SessionCounters, residence: Timer?,
        closer: @escaping @Sendable (SessionID, CloseReason) -> Void
    ) {
        self.id = id
        self.residence = residence
        self.router = router
        self.registry = registry
        self.counters = counters
        self.closer = closer
    }

    func closeSession(reason: CloseReason) {
        self.closer(self.id, reason)
    }

    var hasPath: Bool {
        self.router.selectedTuple(of: self.id) != nil
    }

    func confirmConsent(on tuple: FiveTuple, now: ContinuousClock.Instant) {
        self.router.confirmConsent(of: self.id, on: tuple, now: now)
    }

    func scheduleTick(at instant: ContinuousClock.Instant) {
        self.router.scheduleTick(of: self.id, at: instant)
    }

    /// The session is gone from the router, so this goes to the route of the last send: the selected tuple,
    /// unless the selection moved and nothing was sent since.
    @discardableResult
    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let route = self.route.withLock({ $0 }) else { return false }
        let sent = withUnsafePointer(to: route.destination) { destination in
            Self.sendNow(route.endpoint, to: destination, length: route.length, capacity: datagram.count) { buffer in
                buffer.copyMemory(from: datagram)
                return datagram.count
            }
        }
        return self.count(sent, on: route)
    }

    @discardableResult
    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool {
        guard let tuple = self.router.selectedTuple(of: self.id), let route = self.route(to: tuple) else { return false }
        let sent = withUnsafePointer(to: route.destination) { destination -> (Int, PacketClass)? in
            if let outbox = Outbox.current {
                let datagram = outbox.append(
                    descriptor: route.endpoint.socket(forThread: outbox.thread).descriptor, destination: destination,
                    length: route.length, counters: route.endpoint.counters, residence: self.residence, capacity: capacity,
                    write
                )
                return datagram.map { ($0.datagram.count, $0.packetClass) }
            }
            let sent = Self.sendNow(route.endpoint, to: destination, length: route.length, capacity: capacity, write)
            // A plain RTP port's datagram, relayed from NIO's loop.
            if let sent, sent.1.isMedia, let residence = self.residence, let readAt = ReadInstant.current {
                residence.record(duration: ContinuousClock.now - readAt)
            }
            return sent
        }
        return self.count(sent, on: route)
    }

    /// Counts a datagram that left (or was queued), on its socket and its session.
    private func count(_ sent: (Int, PacketClass)?, on route: Route) -> Bool {
        guard let (bytes, packetClass) = sent else { return false }
        route.endpoint.counters.sent(packetClass, bytes: bytes)
        self.counters.recordOutbound(bytes: bytes)
        return true
    }

    private func route(to tuple: FiveTuple) -> Route? {
        self.route.withLock { cached in
            if let cached, cached.tuple == tuple { return cached }
            guard let endpoint = self.registry.endpoint(tuple.socket) else { return nil }
            var destination = sockaddr_storage()
            let length = tuple.remote.write(to: &destination)
            cached = Route(tuple: tuple, endpoint: endpoint, destination: destination, length: length)
            return cached
        }
    }

    /// Off the I/O threads (timers, the API, plain RTP ports): a buffer of its own and one `sendto`.
    private static func sendNow(
        _ endpoint: Endpoint, to destination: UnsafePointer<sockaddr_storage>, length: socklen_t, capacity: Int,
        _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (Int, PacketClass)? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        defer { buffer.deallocate() }
        guard let bytes = write(UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(capacity))), bytes > 0, bytes <= capacity else {
            return nil
        }
        let datagram = UnsafeRawBufferPointer(rebasing: buffer.prefix(bytes))
        guard endpoint.sockets[0].send(datagram, to: destination, length: length) else {
            endpoint.counters.sendFailed()
            return nil
        }
        return (bytes, PacketClass(datagram: datagram))
    }
}
