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
/// elsewhere it is sent at once. A tuple on an ICE-TCP connection gets the datagram as a frame on that
/// connection: media leaves on the transport it arrived on.
///
/// The router tells it when the selection moves (`PathObserver`), and it builds the destination then: the
/// send path takes only this session's own lock, never the router's.
final class SessionSender: DatagramSender, PathObserver {
    private enum Route {
        case datagram(endpoint: Endpoint, destination: sockaddr_storage, length: socklen_t)
        case stream(TCPConnection)
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

    /// The session is gone from the router, so this goes to the last selected tuple, at once.
    @discardableResult
    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let route = self.path.withLock({ $0.route }) else { return false }
        return self.send(datagram.count, on: route, through: nil) { buffer in
            buffer.copyMemory(from: datagram)
            return datagram.count
        }
    }

    @discardableResult
    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool {
        guard let route = self.path.withLock({ $0.current }) else { return false }
        return self.send(capacity, on: route, through: Outbox.current, write)
    }

    /// Sends from the endpoint's socket of the thread the outbox belongs to, and counts on the session too.
    private func send(
        _ capacity: Int, on route: Route, through outbox: Outbox?, _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> Bool {
        let sent: (bytes: Int, packetClass: PacketClass)?
        switch route {
        case .datagram(let endpoint, let destination, let length):
            let residence = outbox.flatMap { $0.thread < self.residence.count ? self.residence[$0.thread] : nil }
            sent = withUnsafePointer(to: destination) { destination in
                Outbox.send(
                    through: outbox, socket: { endpoint.socket(forThread: $0 ?? 0) }, to: destination,
                    length: length, counters: endpoint.counters, residence: residence, capacity: capacity, write)
            }
        case .stream(let connection):
            sent = connection.send(capacity: capacity, write)
        }
        guard let sent else { return false }
        self.counters.recordOutbound(bytes: sent.bytes)
        return true
    }

    private func makeRoute(to tuple: FiveTuple) -> Route? {
        if tuple.socket.isStream { return self.registry.connection(tuple.socket).map(Route.stream) }
        guard let endpoint = self.registry.endpoint(tuple.socket) else { return nil }
        var destination = sockaddr_storage()
        let length = tuple.remote.write(to: &destination)
        return .datagram(endpoint: endpoint, destination: destination, length: length)
    }
}
