import CoreMetrics
import Logging
import MuxCore
import MuxICE
import MuxWire
import Synchronization

/// The media transport: every UDP socket, the ICE-TCP listeners and their connections, the packet threads that
/// read them and feed the router, the port range and the plain RTP ports. It knows nothing of admission,
/// handlers or candidates: the session manager above it asks for ports and senders and gives them back.
///
/// `udp.io_threads` packet threads each read their own socket of every single-port address (SO_REUSEPORT),
/// accept on their own ICE-TCP listener of every address (SO_REUSEPORT too), and read the range and plain
/// ports given to them in turn.
public final class UDPTransport: Sendable {
    let configuration: UDPConfiguration
    let tcpConfiguration: TCPConfiguration
    private let tcpLimits: TCPConnectionLimits
    private let tcpListeners = Mutex<[TCPConnectionCounters]>([])
    let plainPortAddress: IPAddress
    let router: SessionRouter
    let registry = SocketRegistry()
    let ioThreads: [IOThread]
    /// The next packet thread to serve a range or plain port.
    private let nextThread = Atomic<Int>(0)
    private let metricsFactory: any MetricsFactory
    let logger: Logger
    /// The concrete addresses bound, wildcards expanded.
    public let bindAddresses: [IPAddress]
    /// Nil in single-port mode.
    private let portPool: Mutex<PortPool?>
    private let rangeCounters: SocketCounters?
    private let rangePortGauges: (inUse: Gauge, free: Gauge)
    /// The counters of every plain RTP port (`rtp` sessions), labelled `rtp_bridge`.
    private let plainPortCounters: SocketCounters
    let residence: PacketResidence
    private let receiveBufferWarned = Atomic<Bool>(false)
    private let singleSockets = Mutex<[Endpoint]>([])
    /// Every counter set made, to publish: one per single-port address, the range's and the plain ports'.
    private let allCounters = Mutex<[SocketCounters]>([])

    private init(
        configuration: UDPConfiguration, tcp: TCPConfiguration, plainPortAddress: IPAddress, router: SessionRouter,
        handlerNames: some Sequence<String>, metricsFactory: any MetricsFactory, logger: Logger,
        bindAddresses: [IPAddress]
    ) {
        self.configuration = configuration
        self.tcpConfiguration = tcp
        self.tcpLimits = TCPConnectionLimits(tcp)
        self.plainPortAddress = plainPortAddress
        self.router = router
        self.metricsFactory = metricsFactory
        self.logger = logger
        self.bindAddresses = bindAddresses
        let threads = configuration.packetThreadCount
        let tcpSide = IOThread.TCPSide(
            configuration: tcp, limits: self.tcpLimits, registry: self.registry, threads: threads)
        self.ioThreads = (0..<threads).map {
            IOThread(
                index: $0, router: router, batchSize: configuration.vectorReadCount, slotSize: Self.maxDatagramSize,
                tcp: tcpSide)
        }
        self.residence = PacketResidence(
            handlers: handlerNames, threads: threads, factory: metricsFactory)
        let usesRange = configuration.mode != .single
        self.portPool = Mutex(usesRange ? PortPool(range: configuration.portRange) : nil)
        self.rangeCounters = usesRange ? SocketCounters(label: "range", threads: threads, factory: metricsFactory) : nil
        self.rangePortGauges = (
            Gauge(label: "mediamux_range_ports", dimensions: [("state", "in_use")], factory: metricsFactory),
            Gauge(label: "mediamux_range_ports", dimensions: [("state", "free")], factory: metricsFactory)
        )
        self.plainPortCounters = SocketCounters(label: "rtp_bridge", threads: threads, factory: metricsFactory)
        self.allCounters.withLock { $0 = [self.rangeCounters, self.plainPortCounters].compactMap { $0 } }
        self.recordRangePorts()
        for thread in self.ioThreads { thread.start() }
    }

    /// Starts the packet threads, binds the single-port sockets (one per local address) and the ICE-TCP
    /// listeners; fails fast when a port is taken. Datagrams and frames go to `router`; `handlerNames` label
    /// the residence histogram.
    public static func bind(
        _ configuration: UDPConfiguration, tcp: TCPConfiguration = TCPConfiguration(), plainPortAddress: IPAddress,
        router: SessionRouter, handlerNames: some Sequence<String>, metricsFactory: any MetricsFactory,
        logger: Logger
    ) async throws -> UDPTransport {
        let transport = UDPTransport(
            configuration: configuration, tcp: tcp, plainPortAddress: plainPortAddress, router: router,
            handlerNames: handlerNames, metricsFactory: metricsFactory, logger: logger,
            bindAddresses: try LocalAddresses.expand(configuration.bindAddresses)
        )
        do {
            try await transport.bindPorts()
        } catch {
            await transport.close()
            throw error
        }
        return transport
    }

    /// Room for one datagram in a receive or send slot; WebRTC keeps packets under the ~1500-byte path MTU,
    /// which leaves room for the SRTP trailer when a packet is re-encrypted in place.
    static let maxDatagramSize = 2048

    /// The single-port addresses as bound (the real port when 0 was configured).
    public var singlePortAddresses: [TransportAddress] {
        self.singleSockets.withLock { $0.map(\.local) }
    }

    /// The local address of an endpoint or open ICE-TCP connection, for showing tuples.
    public func localAddress(of socket: SocketID) -> TransportAddress? {
        self.registry.local(of: socket)
    }

    /// The sender of a session's datagrams: from the endpoint its selected tuple arrived on, told of every move
    /// of that tuple by the router. `close` is what the handler's `closeSession` does.
    public func makeSender(
        for session: SessionID, counters: SessionCounters, handlerName: String,
        close: @escaping @Sendable (SessionID, CloseReason) -> Void
    ) -> any DatagramSender & PathObserver {
        SessionSender(
            id: session, router: self.router, registry: self.registry, counters: counters,
            residence: self.residence.timers(forHandler: handlerName), closer: close)
    }

    /// Once a second, off the packet threads: what the packet threads counted and the kernel's receive-buffer
    /// drops into the exported counters, and each packet thread forgets the media routes of closed sessions
    /// and moved tuples.
    public func housekeep() {
        self.publishCounters()
        self.recordKernelDrops()
        for thread in self.ioThreads { thread.pruneRoutes() }
    }

    /// The media routes the packet threads still cache, per thread, once they forgot those of closed sessions
    /// and moved tuples: a session's tuple is cached by the thread its datagrams hash to.
    public func cachedMediaRoutesByThread() async -> [Int] {
        var counts: [Int] = []
        for thread in self.ioThreads { counts.append(await thread.prunedRouteCount()) }
        return counts
    }

    /// Closes every socket and stops the packet threads; returns once they stopped.
    public func close() async {
        for endpoint in self.registry.all { self.registry.remove(endpoint.id) }
        self.singleSockets.withLock { $0.removeAll() }
        for thread in self.ioThreads { await thread.stop() }
        self.publishCounters()
    }

    /// Adds what the packet threads counted since the last call to the exported socket counters: when
    /// /metrics is scraped, and once a second.
    public func publishCounters() {
        for counters in self.allCounters.withLock({ $0 }) { counters.publish() }
        for counters in self.tcpListeners.withLock({ $0 }) { counters.publish() }
    }

    private func makeCounters(label: String) -> SocketCounters {
        let counters = SocketCounters(label: label, threads: self.ioThreads.count, factory: self.metricsFactory)
        self.allCounters.withLock { $0.append(counters) }
        return counters
    }

    /// The single-port sockets, then the ICE-TCP listeners on the same number. When the kernel picked the UDP
    /// port (0, in tests) and TCP follows it, a number some TCP socket already holds is given back and another
    /// is tried.
    private func bindPorts() async throws {
        let followsUDP = self.tcpConfiguration.port == nil && self.configuration.mode != .range
        for attempt in 0..<8 {
            if self.configuration.mode != .range { try self.bindSinglePortSockets() }
            guard self.tcpConfiguration.enabled else { return }
            let port = followsUDP ? self.singlePortAddresses.first.map { Int($0.port) } : nil
            do {
                try self.bindTCPListeners(port: port ?? self.tcpConfiguration.port ?? self.configuration.port)
                return
            } catch {
                guard followsUDP, self.configuration.port == 0, attempt < 7 else { throw error }
                for endpoint in self.singleSockets.withLock({ $0 }) {
                    if let removed = self.registry.remove(endpoint.id) { await self.closeSockets(of: removed) }
                }
                self.singleSockets.withLock { $0.removeAll() }
            }
        }
    }

    // MARK: ICE-TCP listeners

    /// The ICE-TCP listening addresses as bound, one per bind address; empty when `tcp.enabled` is false.
    public var tcpListenAddresses: [TransportAddress] {
        self.tcpListeners.withLock { $0.compactMap { TransportAddress($0.label) } }
    }

    /// TCP connections open now, waiting for their first check and authenticated, over every listener.
    public var openTCPConnections: (waiting: Int, authenticated: Int) {
        self.tcpListeners.withLock { $0.map(\.openConnections) }.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }

    /// One listener per packet thread on every bind address (SO_REUSEPORT), as for the single UDP port.
    private func bindTCPListeners(port: Int) throws {
        var port = port
        var opened: [TCPListener] = []
        var counters: [TCPConnectionCounters] = []
        do {
            for address in self.bindAddresses {
                let first = try TCPListener.listen(TransportAddress(ip: address, port: UInt16(port)), reusePort: true) {
                    TCPConnectionCounters(label: "\($0)", threads: self.ioThreads.count, factory: self.metricsFactory)
                }
                // With port 0 the kernel picks one; the other addresses take the same number.
                port = Int(first.local.port)
                let shared = first.counters
                var group = [first]
                for _ in 1..<self.ioThreads.count {
                    group.append(try TCPListener.listen(first.local, reusePort: true) { _ in shared })
                }
                opened += group
                counters.append(shared)
            }
        } catch {
            for listener in opened { listener.close() }
            throw error
        }
        for (index, listener) in opened.enumerated() {
            self.ioThreads[index % self.ioThreads.count].listen(listener)
        }
        self.tcpListeners.withLock { $0 = counters }
        for shared in counters { self.logger.info("listening", metadata: ["tcp": "\(shared.label)"]) }
    }

    // MARK: Single-port sockets

    private func bindSinglePortSockets() throws {
        var port = self.configuration.port
        var bound: [Endpoint] = []
        for address in self.bindAddresses {
            let endpoint = try self.bindEndpoint(TransportAddress(ip: address, port: UInt16(port)), counters: nil)
            // With port 0 the kernel picks one; the other addresses take the same number.
            port = Int(endpoint.local.port)
            bound.append(endpoint)
            self.logger.info(
                "listening",
                metadata: [
                    "udp": "\(endpoint.local)", "mode": "\(self.configuration.mode.rawValue)",
                    "io_threads": "\(endpoint.sockets.count)",
                ])
        }
        self.singleSockets.withLock { $0 = bound }
    }

    /// Binds `local` and hands its sockets to the packet threads. `counters` nil marks a single-port address:
    /// one socket per packet thread, sharing the port through SO_REUSEPORT, labelled by its address. A range
    /// port (shared `counters`) gets one socket on the next thread in turn.
    private func bindEndpoint(_ local: TransportAddress, counters shared: SocketCounters?) throws -> Endpoint {
        let threads = shared == nil ? self.ioThreads : [self.nextIOThread()]
        let sockets = try Self.bindSockets(
            local, count: threads.count, bufferBytes: self.configuration.receiveBufferBytes)
        let id = self.registry.makeID()
        let actual = sockets[0].local
        let counters = shared ?? self.makeCounters(label: "\(actual)")
        let endpoint = Endpoint(
            id: id, local: actual, counters: counters, sockets: sockets, threads: threads.map(\.index))
        self.registry.register(endpoint)
        for (socket, thread) in zip(sockets, threads) {
            thread.serve(socket, endpoint: id, counters: counters)
        }
        self.checkReceiveBuffer(sockets[0])
        return endpoint
    }

    private func nextIOThread() -> IOThread {
        self.ioThreads[self.nextThread.wrappingAdd(1, ordering: .relaxed).oldValue % self.ioThreads.count]
    }

    /// `count` sockets on one address and port. Several share it through SO_REUSEPORT, which would also let
    /// another socket of the same user share it silently: a plain socket binds first to prove the port is
    /// free (and to learn the port the kernel picked for 0), then the group takes its place, and the kernel's
    /// table is read to see that nothing joined in between. For port 0 that is retried on another port.
    private static func bindSockets(_ local: TransportAddress, count: Int, bufferBytes: Int) throws -> [UDPSocket] {
        guard count > 1 else { return [try UDPSocket.bind(local, reusePort: false, bufferBytes: bufferBytes)] }
        for _ in 0..<8 {
            let probe = try UDPSocket.bind(local, reusePort: false, bufferBytes: 0)
            let address = probe.local
            probe.close()
            let sockets = try (0..<count).map { _ in
                try UDPSocket.bind(address, reusePort: true, bufferBytes: bufferBytes)
            }
            guard SocketTable.sharers(of: sockets.map(\.descriptor), ipv4: address.ip.isIPv4) > 0 else {
                return sockets
            }
            for socket in sockets { socket.close() }
            guard local.port == 0 else { throw UDPTransportError.portShared(address) }
        }
        throw UDPTransportError.portShared(local)
    }

    /// Closes an endpoint's sockets; returns once they are closed, so the port can be bound again. A handler
    /// on any packet thread may have queued a datagram for one of them in its outbox (a range session relayed
    /// to from another thread, a plain port written by its session's thread): closing the descriptor before
    /// that thread flushed could let a socket opened meanwhile take the number and send it. So the readers stop
    /// first, then every thread passes a batch boundary, and only then are the sockets closed.
    private func closeSockets(of endpoint: Endpoint) async {
        for (socket, thread) in zip(endpoint.sockets, endpoint.threads) { await self.ioThreads[thread].forget(socket) }
        for thread in self.ioThreads { await thread.passBatchBoundary() }
        for socket in endpoint.sockets { socket.close() }
    }

    // MARK: Range ports

    /// A port of the range, bound on every bind address, for one session.
    public struct RangePort: Sendable {
        public let port: Int
        /// One endpoint per bind address, in their order.
        public let endpoints: [SocketID]
        public let locals: [TransportAddress]
    }

    /// Whether sessions get range ports (`range` and `both` modes).
    public var hasPortRange: Bool { self.rangeCounters != nil }

    /// Takes a port from the pool and binds it on every bind address; nil when the range is used up. A port
    /// another process holds goes back to the pool and the next is tried, a few times at most.
    public func openRangePort() async -> RangePort? {
        guard let counters = self.rangeCounters else { return nil }
        for _ in 0..<16 {
            guard let port = self.portPool.withLock({ $0?.allocate() }) else { return nil }
            var endpoints: [Endpoint] = []
            do {
                for address in self.bindAddresses {
                    endpoints.append(
                        try self.bindEndpoint(TransportAddress(ip: address, port: UInt16(port)), counters: counters))
                }
                self.recordRangePorts()
                return RangePort(port: port, endpoints: endpoints.map(\.id), locals: endpoints.map(\.local))
            } catch {
                self.logger.warning("range port unavailable", metadata: ["port": "\(port)", "error": "\(error)"])
                await self.closeRangePort(port, endpoints: endpoints.map(\.id))
            }
        }
        return nil
    }

    /// Closes a range port's sockets and returns the port to the pool: the one place range resources are
    /// freed. Either may be missing (a session that had none); closing twice does nothing more.
    public func closeRangePort(_ port: Int?, endpoints: [SocketID]) async {
        for id in endpoints {
            if let endpoint = self.registry.remove(id) { await self.closeSockets(of: endpoint) }
        }
        if let port {
            self.portPool.withLock { $0?.release(port) }
            self.recordRangePorts()
        }
    }

    private func recordRangePorts() {
        let (inUse, free) = self.portPool.withLock { ($0?.inUse ?? 0, $0?.available ?? 0) }
        self.rangePortGauges.inUse.record(inUse)
        self.rangePortGauges.free.record(free)
    }

    // MARK: Plain RTP ports

    /// Opens a plain RTP port for a session that bridges to `sink`, read by the next packet thread in turn.
    /// Its handler closes it.
    public func openPlainPort(sink: TransportAddress) throws -> any PlainPort {
        let socket = try UDPSocket.bind(
            TransportAddress(ip: self.plainPortAddress, port: 0), reusePort: false,
            bufferBytes: self.configuration.receiveBufferBytes)
        let thread = self.nextIOThread()
        // An endpoint like any other, so its kernel drops are read and shutdown closes it; only its datagrams
        // go to the port instead of the router.
        let endpoint = Endpoint(
            id: self.registry.makeID(), local: socket.local, counters: self.plainPortCounters, sockets: [socket],
            threads: [thread.index])
        self.registry.register(endpoint)
        let port = PlainUDPPort(socket: socket, sink: sink, counters: self.plainPortCounters) { [weak self] in
            guard let self, let endpoint = self.registry.remove(endpoint.id) else { return }
            // The handler closes it from `handleClose`, which cannot wait.
            Task { await self.closeSockets(of: endpoint) }
        }
        thread.serve(port)
        return port
    }

    // MARK: Kernel

    /// Warns once when the kernel granted less receive buffer than configured (net.core.rmem_max).
    private func checkReceiveBuffer(_ socket: UDPSocket) {
        let granted = socket.grantedReceiveBufferBytes
        let wanted = self.configuration.receiveBufferBytes
        if granted < wanted, !self.receiveBufferWarned.exchange(true, ordering: .relaxed) {
            self.logger.warning(
                "kernel granted a smaller UDP receive buffer than configured; raise net.core.rmem_max",
                metadata: ["configured": "\(wanted)", "granted": "\(granted)"]
            )
        }
    }

    /// The kernel's receive-buffer drops of every socket (SO_MEMINFO), summed per counter label: a few
    /// getsockopt calls, however many other sockets the host has.
    private func recordKernelDrops() {
        var byLabel: [String: (SocketCounters, Int)] = [:]
        for endpoint in self.registry.all {
            let drops = endpoint.sockets.reduce(0) { $0 + max(0, $1.kernelDrops) }
            byLabel[endpoint.counters.label, default: (endpoint.counters, 0)].1 += drops
        }
        for (counters, count) in byLabel.values {
            counters.kernelDrops?.record(count)
        }
    }
}
