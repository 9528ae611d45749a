import CoreMetrics
import Logging
import MuxCore
import MuxICE
import MuxWire
import ServiceLifecycle
import Synchronization

/// Owns every UDP socket and the I/O threads, feeds datagrams to the `Router`, and runs its timers.
///
/// Build it with `bind(...)`, which fails fast when a port is taken; then run it as a `Service`. On graceful
/// shutdown it stops admitting, closes every session with reason `shutdown`, and closes its sockets.
///
/// `udp.io_threads` packet threads each read their own socket of every single-port address (SO_REUSEPORT)
/// and the range ports given to them; the timers and the API run on other threads and never on theirs.
public final class UDPMux: Service, Sendable {
    /// Internal: sessions are made and closed through the mux (`createSession`, `closeSession`), which release
    /// what they hold; the router's own `insert` and `close` would not.
    let router: SessionRouter
    let settings: MuxSettings
    let registry = SocketRegistry()
    let ioThreads: [IOThread]
    /// The next I/O thread to serve a range port.
    let nextRangeThread = Atomic<Int>(0)
    /// The counters of every plain RTP port (`rtp` sessions), labelled `rtp_bridge`.
    let plainPortCounters: SocketCounters
    let admission: any AdmissionStore
    let coreMetrics: CoreMetrics
    let metricsFactory: any MetricsFactory
    let handlers: [String: SessionHandlerFactory]
    let logger: Logger
    let bindAddresses: [IPAddress]
    /// Nil in single-port mode.
    let portPool: Mutex<PortPool?>
    let rangeCounters: SocketCounters?
    let rangePortGauges: (inUse: Gauge, free: Gauge)
    let residence: PacketResidence
    let receiveBufferWarned = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    private let singleSockets = Mutex<[Endpoint]>([])
    private let timers: TimerThread
    /// Closed by the timer thread or by their handlers, to be released by `run`.
    let awaitingRelease = ClosedSessionQueue()

    init(
        settings: MuxSettings, admission: any AdmissionStore, metricsFactory: any MetricsFactory,
        handlers: [String: SessionHandlerFactory], logger: Logger, bindAddresses: [IPAddress]
    ) {
        self.settings = settings
        self.admission = admission
        self.metricsFactory = metricsFactory
        self.coreMetrics = CoreMetrics(factory: metricsFactory)
        let awaitingRelease = self.awaitingRelease
        let timers = TimerThread(interval: settings.tick) { awaitingRelease.append($0) }
        self.timers = timers
        self.router = SessionRouter(
            timeouts: settings.timeouts, rateLimit: settings.rateLimit, budgets: settings.checkBudgets,
            metrics: self.coreMetrics, logger: logger, wakeEarlier: { timers.wake() }
        )
        let router = self.router
        self.ioThreads = (0..<max(1, settings.udp.ioThreads)).map {
            IOThread(index: $0, router: router, batchSize: settings.udp.vectorReadCount, slotSize: Self.maxDatagramSize)
        }
        self.plainPortCounters = SocketCounters(label: "rtp_bridge", factory: metricsFactory)
        self.handlers = handlers
        self.residence = PacketResidence(handlers: handlers.keys, factory: metricsFactory)
        self.logger = logger
        self.bindAddresses = bindAddresses
        let usesRange = settings.udp.mode != .single
        self.portPool = Mutex(usesRange ? PortPool(range: settings.udp.portRange) : nil)
        self.rangeCounters = usesRange ? SocketCounters(label: "range", factory: metricsFactory) : nil
        self.rangePortGauges = (
            Gauge(label: "mediamux_range_ports", dimensions: [("state", "in_use")], factory: metricsFactory),
            Gauge(label: "mediamux_range_ports", dimensions: [("state", "free")], factory: metricsFactory)
        )
        self.recordRangePorts()
        for thread in self.ioThreads { thread.start() }
    }

    /// Binds the single-port sockets (one per local address) and returns a mux ready to run.
    public static func bind(
        settings: MuxSettings, admission: any AdmissionStore, metricsFactory: any MetricsFactory,
        handlers: [String: SessionHandlerFactory] = UDPMux.standardHandlers, logger: Logger
    ) async throws -> UDPMux {
        let addresses = try LocalAddresses.expand(settings.udp.bindAddresses)
        let mux = UDPMux(
            settings: settings, admission: admission, metricsFactory: metricsFactory, handlers: handlers,
            logger: logger, bindAddresses: addresses
        )
        do {
            if settings.udp.mode != .range {
                try mux.bindSinglePortSockets()
            }
        } catch {
            await mux.stopThreads()
            throw error
        }
        // With the packet threads, not in `run`: a session made before the service's task gets a thread (the
        // API may create one at once) still has its ticks and deadlines.
        mux.timers.start(router: mux.router)
        return mux
    }

    /// Room for one datagram in a receive or send slot; WebRTC keeps packets under the ~1500-byte path MTU,
    /// which leaves room for the SRTP trailer when a packet is re-encrypted in place.
    static let maxDatagramSize = 2048

    /// Handlers that need no DTLS: `datagram_echo` returns datagrams as they arrived (an ICE-level
    /// loopback for diagnostics), `discard` drops them. Media handlers are added by the application.
    public static let standardHandlers: [String: SessionHandlerFactory] = [
        "datagram_echo": { EchoHandler(context: $0) },
        "discard": { _ in DiscardHandler() },
    ]

    /// The single-port addresses as bound (the real port when 0 was configured).
    public var singlePortAddresses: [TransportAddress] {
        self.singleSockets.withLock { $0.map(\.local) }
    }

    /// A live session, or one of the last 1024 closed, as the API shows it.
    public func snapshot(of id: SessionID) -> SessionSnapshot? {
        self.router.snapshot(id, now: .now)
    }

    /// The live sessions of a room.
    public func snapshots(inRoom room: String) -> [SessionSnapshot] {
        self.router.snapshots(inRoom: room, now: .now)
    }

    /// Live sessions per room.
    public func rooms() -> [String: Int] {
        self.router.rooms()
    }

    /// The size of every table of the router: all zero once every session closed.
    public var tableSizes: SessionRouter.TableSizes {
        self.router.tableSizes
    }

    /// The local address of an endpoint, for showing tuples.
    public func localAddress(of socket: SocketID) -> TransportAddress? {
        self.registry.endpoint(socket)?.local
    }

    // MARK: Service

    /// Releases what the timer thread and the handlers closed, and does the housekeeping (kernel drops and
    /// stale media routes once a second, freed memory every `trimInterval`), until graceful shutdown.
    public func run() async throws {
        guard !self.stopping.load(ordering: .acquiring) else { return }
        try? await cancelWhenGracefulShutdown {
            var kernelStatsDue = ContinuousClock.now
            var trimDue = ContinuousClock.now + Self.trimInterval
            while !Task.isCancelled {
                let now = ContinuousClock.now
                await self.release(self.awaitingRelease.takeAll())
                if now >= kernelStatsDue {
                    self.recordKernelDrops()
                    for thread in self.ioThreads { thread.pruneRoutes() }
                    kernelStatsDue = now + .seconds(1)
                }
                if now >= trimDue {
                    self.trimFreedMemory()
                    trimDue = now + Self.trimInterval
                }
                try await Task.sleep(until: now + self.settings.tick, clock: .continuous)
            }
        }
        await self.shutdown()
    }

    /// Stops admitting, closes every session with reason `shutdown`, closes every socket.
    public func shutdown() async {
        guard !self.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.timers.stop()
        await self.release(self.awaitingRelease.takeAll())
        let closed = self.router.closeAll(reason: .shutdown, now: .now)
        await self.release(closed)
        for endpoint in self.registry.all { self.registry.remove(endpoint.id) }
        self.singleSockets.withLock { $0.removeAll() }
        await self.stopThreads()
        // A handler on a packet thread may have taken its session out of the router after closeAll read it and
        // queued it only afterwards; the threads have stopped now, so nothing more comes.
        await self.release(self.awaitingRelease.takeAll())
        self.logger.info("udp mux stopped", metadata: ["sessions_closed": "\(closed.count)"])
    }

    // MARK: Sockets

    private func bindSinglePortSockets() throws {
        var port = self.settings.udp.port
        var bound: [Endpoint] = []
        for address in self.bindAddresses {
            let endpoint = try self.bindEndpoint(TransportAddress(ip: address, port: UInt16(port)), counters: nil)
            // With port 0 the kernel picks one; the other addresses take the same number.
            port = Int(endpoint.local.port)
            bound.append(endpoint)
            self.logger.info(
                "listening",
                metadata: [
                    "udp": "\(endpoint.local)", "mode": "\(self.settings.udp.mode.rawValue)",
                    "io_threads": "\(endpoint.sockets.count)",
                ])
        }
        self.singleSockets.withLock { $0 = bound }
    }

    /// Binds `local` and hands its sockets to the I/O threads. `counters` nil marks a single-port address:
    /// one socket per I/O thread, sharing the port through SO_REUSEPORT, labelled by its address. A range
    /// port (shared `counters`) gets one socket on the next thread in turn.
    func bindEndpoint(_ local: TransportAddress, counters shared: SocketCounters?) throws -> Endpoint {
        let threads =
            shared == nil
            ? self.ioThreads
            : [self.ioThreads[self.nextRangeThread.wrappingAdd(1, ordering: .relaxed).oldValue % self.ioThreads.count]]
        let sockets = try Self.bindSockets(
            local, count: threads.count, bufferBytes: self.settings.udp.receiveBufferBytes)
        let id = self.registry.makeID()
        let actual = sockets[0].local
        let counters = shared ?? SocketCounters(label: "\(actual)", factory: self.metricsFactory)
        let endpoint = Endpoint(
            id: id, local: actual, counters: counters, sockets: sockets, threads: threads.map(\.index))
        self.registry.register(endpoint)
        for (socket, thread) in zip(sockets, threads) {
            thread.serve(socket, endpoint: id, counters: counters)
        }
        self.checkReceiveBuffer(sockets[0])
        return endpoint
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
            guard local.port == 0 else { throw UDPMuxError.portShared(address) }
        }
        throw UDPMuxError.portShared(local)
    }

    /// Opens a plain RTP port for a session that bridges to `sink`, read by the next packet thread in turn.
    func openPlainPort(sink: TransportAddress) throws -> PlainUDPPort {
        let socket = try UDPSocket.bind(
            TransportAddress(ip: self.settings.plainPortAddress, port: 0), reusePort: false,
            bufferBytes: self.settings.udp.receiveBufferBytes)
        let thread = self.ioThreads[
            self.nextRangeThread.wrappingAdd(1, ordering: .relaxed).oldValue % self.ioThreads.count]
        let port = PlainUDPPort(socket: socket, sink: sink, counters: self.plainPortCounters) { socket in
            thread.releaseSoon(socket)
        }
        thread.serve(port)
        return port
    }

    /// Closes an endpoint's sockets on the threads that read them; returns once they are closed.
    func closeSockets(of endpoint: Endpoint) async {
        for (socket, thread) in zip(endpoint.sockets, endpoint.threads) {
            await self.ioThreads[thread].release(socket)
        }
    }

    func stopThreads() async {
        for thread in self.ioThreads { await thread.stop() }
    }

    /// Warns once when the kernel granted less receive buffer than configured (net.core.rmem_max).
    private func checkReceiveBuffer(_ socket: UDPSocket) {
        let granted = socket.grantedReceiveBufferBytes
        let wanted = self.settings.udp.receiveBufferBytes
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
            counters.kernelDrops.record(count)
        }
    }

    func recordRangePorts() {
        let (inUse, free) = self.portPool.withLock { ($0?.inUse ?? 0, $0?.available ?? 0) }
        self.rangePortGauges.inUse.record(inUse)
        self.rangePortGauges.free.record(free)
    }
}
