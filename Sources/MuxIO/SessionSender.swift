import Metrics
import MuxCore
import MuxICE
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sends a session's datagrams to its selected 5-tuple, from the endpoint (local address and port) that
/// tuple arrived on. On an I/O thread a datagram joins the thread's outbox and leaves with the batch;
/// elsewhere it is sent at once.
///
/// The router tells it when the selection moves (`PathObserver`), and it builds the destination then: the
/// send path takes only this session's own lock, never the router's.
final class SessionSender: DatagramSender, PathObserver {
    private struct Route {
        let endpoint: Endpoint
        let destination: sockaddr_storage
        let length: socklen_t
    }

    private struct Path {
        /// The selected tuple's route: none before the first nomination or once lost to another session. Kept
        /// after the close, for the farewell.
        var route: Route?
        var generation: UInt64 = 0
        var closed = false

        /// Where datagrams go while the session lives.
        var current: Route? { self.closed ? nil : self.route }
    }

    private let id: SessionID
    private let router: SessionRouter
    private let registry: SocketRegistry
    private let counters: SessionCounters
    /// The residence histograms of this session's handler, one per packet thread.
    private let residence: [Timer]
    private let path = Mutex(Path())
    private let closer: @Sendable (SessionID, CloseReason) -> Void

    init(
        id: SessionID, router: SessionRouter, registry: SocketRegistry, counters: SessionCounters, residence: [Timer],
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
        self.path.withLock { $0.current != nil }
    }

    // MARK: PathObserver

    func selectedPathChanged(to tuple: FiveTuple?, generation: UInt64) {
        // Built outside the lock; a move that arrives after a later one is dropped below.
        let route = tuple.flatMap(self.makeRoute(to:))
        self.path.withLock { path in
            guard !path.closed, generation > path.generation else { return }
            path.generation = generation
            path.route = route
        }
    }

    func sessionClosed() {
        self.path.withLock { $0.closed = true }
    }

    func confirmConsent(on tuple: FiveTuple, now: ContinuousClock.Instant) {
        self.router.confirmConsent(of: self.id, on: tuple, now: now)
    }

    func scheduleTick(at instant: ContinuousClock.Instant) {
        self.router.scheduleTick(of: self.id, at: instant)
    }

    /// The session is gone from the router, so this goes to the last selected tuple.
    @discardableResult
    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let route = self.path.withLock({ $0.route }) else { return false }
        let sent = withUnsafePointer(to: route.destination) { destination in
            Self.sendNow(route.endpoint, to: destination, length: route.length, capacity: datagram.count) { buffer in
                buffer.copyMemory(from: datagram)
                return datagram.count
            }
        }
        return self.count(sent, on: route, thread: nil)
    }

    @discardableResult
    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool {
        guard let route = self.path.withLock({ $0.current }) else { return false }
        let outbox = Outbox.current
        let sent = withUnsafePointer(to: route.destination) { destination -> (Int, PacketClass)? in
            if let outbox {
                let datagram = outbox.append(
                    descriptor: route.endpoint.socket(forThread: outbox.thread).descriptor, destination: destination,
                    length: route.length, counters: route.endpoint.counters,
                    residence: outbox.thread < self.residence.count ? self.residence[outbox.thread] : nil,
                    capacity: capacity,
                    write
                )
                return datagram.map { ($0.datagram.count, $0.packetClass) }
            }
            return Self.sendNow(route.endpoint, to: destination, length: route.length, capacity: capacity, write)
        }
        return self.count(sent, on: route, thread: outbox?.thread)
    }

    /// Counts a datagram that left (or was queued), on its socket and its session.
    private func count(_ sent: (Int, PacketClass)?, on route: Route, thread: Int?) -> Bool {
        guard let (bytes, packetClass) = sent else { return false }
        route.endpoint.counters.sent(packetClass, bytes: bytes, thread: thread)
        self.counters.recordOutbound(bytes: bytes)
        return true
    }

    private func makeRoute(to tuple: FiveTuple) -> Route? {
        guard let endpoint = self.registry.endpoint(tuple.socket) else { return nil }
        var destination = sockaddr_storage()
        let length = tuple.remote.write(to: &destination)
        return Route(endpoint: endpoint, destination: destination, length: length)
    }

    /// Off the I/O threads (timers, the API): a buffer of its own and one `sendto`.
    private static func sendNow(
        _ endpoint: Endpoint, to destination: UnsafePointer<sockaddr_storage>, length: socklen_t, capacity: Int,
        _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (Int, PacketClass)? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        defer { buffer.deallocate() }
        guard let bytes = write(UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(capacity))), bytes > 0,
            bytes <= capacity
        else {
            return nil
        }
        let datagram = UnsafeRawBufferPointer(rebasing: buffer.prefix(bytes))
        guard endpoint.sockets[0].send(datagram, to: destination, length: length) else {
            endpoint.counters.sendFailed(thread: nil)
            return nil
        }
        return (bytes, PacketClass(datagram: datagram))
    }
}
