import CMuxSockets
import DequeModule
import MuxCore
import MuxICE
import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// One packet thread's ICE-TCP side: its listening sockets, the connections it accepted, and their frames
/// routed like datagrams. Owned by the thread; nothing here is shared but the limits and the registry.
///
/// A connection earns its place: its first frame must be a STUN check that authenticates against a live
/// session, within `tcp.first_check_timeout`. Until then it is one of the thread's waiting connections, which
/// are capped (`tcp.max_pending_connections` shared out over the threads); when full, the oldest waiting one
/// is closed to make room, so a crowd of idle sockets cannot keep a real client out. Once authenticated, it
/// lives while its tuple leads to a session: the router unbinds the tuple when the session closes or consent
/// on it runs out, and the connection closes then.
final class TCPStreams {
    private let thread: Int
    private let router: SessionRouter
    private let registry: SocketRegistry
    private let limits: TCPConnectionLimits
    private let poller: Int32
    private let outbox: Outbox
    private let firstCheckTimeout: Duration
    private let maxWaiting: Int

    private var listeners: [Int32: TCPListener] = [:]
    /// Listeners taken out of the poller while the process has no descriptor to spare.
    private var pausedListeners: [TCPListener] = []
    private var connections: [Int32: TCPConnection] = [:]
    /// Connections in the order they were accepted: the oldest waiting one is first to time out or give way.
    /// Entries that authenticated or closed since are skipped as they come up.
    private var waitingQueue = Deque<TCPConnection>()
    private var waitingCount = 0
    private var mediaRoutes = MediaRouteCache()
    private var nextHousekeeping: ContinuousClock.Instant?
    private var nextUnboundCheck: ContinuousClock.Instant?

    /// Connections accepted per readiness event, so one listener cannot hold the thread.
    private static let acceptsPerTurn = 64
    /// Reads per readiness event of one connection.
    private static let readsPerTurn = 4

    init(
        thread: Int, router: SessionRouter, registry: SocketRegistry, limits: TCPConnectionLimits,
        configuration: TCPConfiguration, threads: Int, poller: Int32, outbox: Outbox
    ) {
        self.thread = thread
        self.router = router
        self.registry = registry
        self.limits = limits
        self.poller = poller
        self.outbox = outbox
        self.firstCheckTimeout = configuration.firstCheckTimeout
        self.maxWaiting = max(1, configuration.maxPendingConnections / max(1, threads))
    }

    /// How long the thread may sleep: housekeeping runs every 250 ms while there is any TCP state.
    var pollTimeoutMilliseconds: Int32 {
        self.connections.isEmpty && self.pausedListeners.isEmpty ? -1 : 250
    }

    var connectionCount: Int { self.connections.count }

    /// Watches `listener`; false when the poller refused it (the caller keeps it paused, to try again).
    @discardableResult
    func listen(_ listener: TCPListener) -> Bool {
        let descriptor = listener.descriptor
        guard mm_poller_add(self.poller, descriptor) == 0 else { return false }
        self.listeners[descriptor] = listener
        return true
    }

    /// Handles readiness of `descriptor` if it is one of the TCP sockets; false when it is not.
    func handle(_ descriptor: Int32, flags: UInt32, now: ContinuousClock.Instant) -> Bool {
        if let connection = self.connections[descriptor] {
            if flags & UInt32(MM_WRITABLE) != 0 { connection.flushQueued() }
            // At once: a failed socket left in the poller would wake the thread until housekeeping.
            if connection.hasFailed {
                self.close(connection, reason: .sendFailed)
                return true
            }
            if flags & UInt32(MM_READABLE) != 0 { self.readAvailable(connection, now: now) }
            return true
        }
        if let listener = self.listeners[descriptor] {
            self.accept(on: listener, now: now)
            return true
        }
        return false
    }

    // MARK: Accepting

    private func accept(on listener: TCPListener, now: ContinuousClock.Instant) {
        for _ in 0..<Self.acceptsPerTurn {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(0)
            let descriptor = mm_tcp_accept(listener.descriptor, &peer, &peerLength)
            guard descriptor >= 0 else {
                switch mm_errno() {
                case EAGAIN, EWOULDBLOCK: return
                // The listener stays readable while the process cannot take the connection: pause it.
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    self.pause(listener)
                    return
                // One connection that failed before it was taken (ECONNABORTED, EPROTO, …): the next one.
                default: continue
                }
            }
            guard let remote = TransportAddress(storage: &peer) else {
                mm_tcp_abort(descriptor)
                continue
            }
            var refusal = self.limits.admit(remote.ip)
            if refusal == .maxConnections && self.waitingCount > 0 {
                // The total is full: a connection still waiting for its first check gives way, as when the
                // waiting cap is, so idle sockets cannot keep a real client out through this limit either.
                self.evictOldestWaiting()
                refusal = self.limits.admit(remote.ip)
            }
            if let refusal {
                listener.counters.didRefuse(refusal)
                mm_tcp_abort(descriptor)
                continue
            }
            if self.waitingCount >= self.maxWaiting { self.evictOldestWaiting() }
            let connection = TCPConnection(
                id: self.registry.makeID(isStream: true), descriptor: descriptor, remote: remote, listener: listener,
                poller: self.poller, now: now)
            guard mm_poller_add(self.poller, descriptor) == 0 else {
                connection.close(abort: true)
                self.limits.release(remote.ip)
                continue
            }
            self.registry.register(connection)
            self.connections[descriptor] = connection
            self.waitingQueue.append(connection)
            self.waitingCount += 1
            listener.counters.didOpen()
        }
    }

    /// Out of descriptors: a level-triggered listener would wake the thread for ever, so it sleeps until the
    /// next housekeeping round. The connection it could not take waits in the kernel's backlog.
    private func pause(_ listener: TCPListener) {
        listener.counters.didRefuse(.noDescriptors)
        mm_poller_remove(self.poller, listener.descriptor)
        self.listeners[listener.descriptor] = nil
        self.pausedListeners.append(listener)
    }

    private func evictOldestWaiting() {
        while let oldest = self.waitingQueue.popFirst() {
            if oldest.isWaiting {
                self.close(oldest, reason: .evicted)
                return
            }
        }
    }

    // MARK: Frames

    private func readAvailable(_ connection: TCPConnection, now: ContinuousClock.Instant) {
        self.outbox.batchReadAt = now
        defer { self.outbox.flush() }
        for _ in 0..<Self.readsPerTurn {
            let room = connection.inbound.count - connection.filled
            let read = mm_tcp_receive(
                connection.descriptor, connection.inbound.baseAddress! + connection.filled, room)
            if read == 0 {
                self.close(connection, reason: .peerClosed)
                return
            }
            if read < 0 {
                let code = mm_errno()
                if code != EAGAIN && code != EWOULDBLOCK { self.close(connection, reason: .reset) }
                return
            }
            connection.filled += read
            guard self.handleFrames(of: connection, now: now) else { return }
            if read < room { return }
        }
    }

    /// Handles every whole frame in the connection's buffer and keeps the partial one; false once the
    /// connection closed.
    private func handleFrames(of connection: TCPConnection, now: ContinuousClock.Instant) -> Bool {
        let buffer = connection.inbound
        var offset = 0
        frames: while true {
            let received = UnsafeRawBufferPointer(rebasing: buffer[0..<connection.filled])
            switch StreamFramer.next(in: received, at: offset, maxLength: TCPConfiguration.maxFrameBytes) {
            case .frame(let range):
                offset = range.upperBound
                let frame = UnsafeMutableRawBufferPointer(rebasing: buffer[range])
                guard self.handle(frame, on: connection, now: now) else { return false }
            case .incomplete:
                break frames
            case .invalid:
                self.close(connection, reason: .badFrame)
                return false
            }
        }
        if offset > 0 {
            let rest = connection.filled - offset
            if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + offset, rest) }
            connection.filled = rest
        }
        return true
    }

    /// Routes one frame like a datagram on the connection's tuple; false once the connection closed.
    private func handle(
        _ frame: UnsafeMutableRawBufferPointer, on connection: TCPConnection, now: ContinuousClock.Instant
    ) -> Bool {
        let counters = connection.listener.counters
        let packetClass = PacketClass(datagram: UnsafeRawBufferPointer(frame))
        counters.frames.received(packetClass, bytes: frame.count, thread: self.thread)
        let tuple = FiveTuple(socket: connection.id, remote: connection.remote)
        guard connection.isAuthenticated else {
            return self.handleFirst(frame, class: packetClass, on: connection, now: now)
        }
        let decision = self.mediaRoutes.route(
            UnsafeRawBufferPointer(frame), class: packetClass, on: tuple, now: now, router: self.router)
        switch decision {
        case .drop(let reason):
            counters.frames.dropped(reason, thread: self.thread)
        case .reply(let response, let refused):
            if let refused { counters.frames.dropped(refused, thread: self.thread) }
            self.send(response, on: connection)
        case .deliver(let handler):
            handler.handleDatagram(frame, class: packetClass, from: tuple, now: now)
        }
        return true
    }

    /// The frame a waiting connection earns its place with: an authenticated check, answered, or the end.
    private func handleFirst(
        _ frame: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, on connection: TCPConnection,
        now: ContinuousClock.Instant
    ) -> Bool {
        let counters = connection.listener.counters
        guard packetClass == .stun else {
            counters.frames.dropped(packetClass == .unknown ? .unknownClass : .unknownAddress, thread: self.thread)
            self.close(connection, reason: .firstFrameNotCheck)
            return false
        }
        let tuple = FiveTuple(socket: connection.id, remote: connection.remote)
        switch self.router.route(UnsafeRawBufferPointer(frame), class: .stun, on: tuple, now: now) {
        case .reply(let response, refused: nil):
            connection.isAuthenticated = true
            self.waitingCount -= 1
            counters.didAuthenticate()
            self.send(response, on: connection)
            return true
        case .drop(let reason) where reason == .rateLimited || reason == .ufragRateLimited:
            // Budgets spent by others (a flood naming this session, or from its address) must not cost the
            // client its connection: browsers do not dial a passive candidate twice. The check is dropped, as
            // over UDP, and its retransmission may get through; the first-check timeout still bounds the wait.
            counters.frames.dropped(reason, thread: self.thread)
            return true
        case .reply(_, refused: let reason?), .drop(let reason):
            counters.frames.dropped(reason, thread: self.thread)
        case .deliver:
            break
        }
        self.close(connection, reason: .checkRefused)
        return false
    }

    private func send(_ response: [UInt8], on connection: TCPConnection) {
        _ = connection.send(capacity: response.count) { buffer in
            buffer.copyBytes(from: response)
            return response.count
        }
    }

    // MARK: Housekeeping

    /// Every 250 ms while there are connections: waiting ones past their deadline close, listeners paused for
    /// lack of descriptors listen again, and once a second connections whose tuple leads nowhere close.
    func housekeep(now: ContinuousClock.Instant) {
        guard now >= self.nextHousekeeping ?? now else { return }
        self.nextHousekeeping = now + .milliseconds(250)
        self.pausedListeners.removeAll { self.listen($0) }
        self.closeExpiredWaiting(now: now)
        for connection in self.connections.values where connection.hasFailed {
            self.close(connection, reason: .sendFailed)
        }
        if now >= self.nextUnboundCheck ?? now {
            self.nextUnboundCheck = now + .seconds(1)
            self.closeUnbound()
        }
    }

    private func closeExpiredWaiting(now: ContinuousClock.Instant) {
        while let oldest = self.waitingQueue.first {
            if oldest.isWaiting {
                guard now - oldest.openedAt >= self.firstCheckTimeout else { return }
                self.close(oldest, reason: .firstCheckTimeout)
            }
            self.waitingQueue.removeFirst()
        }
    }

    /// Two rounds in a row, a second apart, so a session's farewell (DTLS close_notify) leaves first.
    private func closeUnbound() {
        for connection in self.connections.values where connection.isAuthenticated {
            let tuple = FiveTuple(socket: connection.id, remote: connection.remote)
            if self.router.lookUpMedia(on: tuple) != nil {
                connection.unboundRounds = 0
            } else {
                connection.unboundRounds += 1
                if connection.unboundRounds >= 2 { self.close(connection, reason: .unbound) }
            }
        }
    }

    /// Forgets the media routes of closed sessions, with the thread's UDP cache; returns how many are left.
    func pruneRoutes() -> Int {
        self.mediaRoutes.prune()
        return self.mediaRoutes.count
    }

    /// At shutdown: every connection and listener closes.
    func closeAll() {
        for connection in Array(self.connections.values) { self.close(connection, reason: .shutdown) }
        for listener in self.listeners.values { listener.close() }
        for listener in self.pausedListeners { listener.close() }
        self.listeners.removeAll()
        self.pausedListeners.removeAll()
    }

    private func close(_ connection: TCPConnection, reason: TCPCloseReason) {
        let descriptor = connection.descriptor
        guard descriptor >= 0 else { return }
        self.connections[descriptor] = nil
        self.registry.remove(connection: connection.id)
        if !connection.isAuthenticated { self.waitingCount -= 1 }
        connection.listener.counters.didClose(reason, wasAuthenticated: connection.isAuthenticated)
        self.limits.release(connection.remote.ip)
        // Its session stops sending into it now, not a consent timeout later.
        if connection.isAuthenticated && reason != .shutdown {
            self.router.transportClosed(FiveTuple(socket: connection.id, remote: connection.remote))
        }
        // Refused before they were anyone's: reset, so the kernel keeps no TIME_WAIT for them.
        connection.close(abort: !connection.isAuthenticated)
    }
}
