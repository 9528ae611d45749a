import CoreMetrics
import Logging
import MuxCore
import MuxICE
import MuxWire
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Owns every UDP socket and the I/O threads, feeds datagrams to the `Router`, and runs its timers.
///
/// Build it with `bind(...)`, which fails fast when a port is taken; then run it as a `Service`. On graceful
/// shutdown it stops admitting, closes every session with reason `shutdown`, and closes its sockets.
public final class UDPMux: Service, Sendable {
    public let router: SessionRouter
    let settings: MuxSettings
    let registry = SocketRegistry()
    let group: MultiThreadedEventLoopGroup
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
    let receiveBufferWarned = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    private let singleSockets = Mutex<[BoundSocket]>([])

    init(
        settings: MuxSettings, admission: any AdmissionStore, metricsFactory: any MetricsFactory,
        handlers: [String: SessionHandlerFactory], logger: Logger, bindAddresses: [IPAddress]
    ) {
        self.settings = settings
        self.admission = admission
        self.metricsFactory = metricsFactory
        self.coreMetrics = CoreMetrics(factory: metricsFactory)
        self.router = SessionRouter(timeouts: settings.timeouts, rateLimit: settings.rateLimit, metrics: self.coreMetrics)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, settings.udp.ioThreads))
        self.handlers = handlers
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
                try await mux.bindSinglePortSockets()
            }
        } catch {
            try? await mux.group.shutdownGracefully()
            throw error
        }
        return mux
    }

    /// Room for one datagram in the receive buffer; WebRTC keeps packets under the ~1500-byte path MTU.
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

    /// The local address of a socket, for showing tuples.
    public func localAddress(of socket: SocketID) -> TransportAddress? {
        self.registry.socket(socket)?.local
    }

    // MARK: Service

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var kernelStatsDue = ContinuousClock.now
            while !Task.isCancelled {
                let now = ContinuousClock.now
                await self.release(self.router.expire(now: now))
                for handler in self.router.handlers() { handler.handleTick(now: now) }
                if now >= kernelStatsDue {
                    self.recordKernelDrops()
                    kernelStatsDue = now + .seconds(1)
                }
                let wake = min(self.router.nextDeadline() ?? now + self.settings.tick, now + self.settings.tick)
                try await Task.sleep(until: max(wake, now + .milliseconds(10)), clock: .continuous)
            }
        }
        await self.shutdown()
    }

    /// Stops admitting, closes every session with reason `shutdown`, closes every socket.
    public func shutdown() async {
        guard !self.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let closed = self.router.closeAll(reason: .shutdown, now: .now)
        await self.release(closed)
        for socket in self.registry.all {
            self.registry.remove(socket.id)
            try? await socket.channel.close()
        }
        self.singleSockets.withLock { $0.removeAll() }
        try? await self.group.shutdownGracefully()
        self.logger.info("udp mux stopped", metadata: ["sessions_closed": "\(closed.count)"])
    }

    // MARK: Sockets

    private func bindSinglePortSockets() async throws {
        var port = self.settings.udp.port
        var bound: [BoundSocket] = []
        for address in self.bindAddresses {
            let local = TransportAddress(ip: address, port: UInt16(port))
            let socket = try await self.bindSocket(local, counters: nil)
            // With port 0 the kernel picks one; the other addresses take the same number.
            port = Int(socket.local.port)
            bound.append(socket)
            self.logger.info("listening", metadata: ["udp": "\(socket.local)", "mode": "\(self.settings.udp.mode.rawValue)"])
        }
        self.singleSockets.withLock { $0 = bound }
    }

    /// Binds one UDP socket on `local`; `counters` nil gives it counters labelled by its address.
    func bindSocket(_ local: TransportAddress, counters shared: SocketCounters?) async throws -> BoundSocket {
        let id = self.registry.makeID()
        let udp = self.settings.udp
        // A range socket serves one session, so a short read batch keeps a thousand of them cheap.
        let vectorReadCount = shared == nil ? udp.vectorReadCount : min(udp.vectorReadCount, 4)
        let router = self.router
        let factory = self.metricsFactory
        let channel = try await DatagramBootstrap(group: self.group)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(udp.receiveBufferBytes))
            .channelOption(.datagramVectorReadMessageCount, value: vectorReadCount)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReadCount * Self.maxDatagramSize))
            .bind(host: "\(local.ip)", port: Int(local.port)).get()
        let actual = channel.localAddress.flatMap { TransportAddress($0) } ?? local
        let counters = shared ?? SocketCounters(label: "\(actual)", factory: factory)
        do {
            // Made on the channel's own loop: handlers are not Sendable.
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(DatagramInboundHandler(socket: id, router: router, counters: counters))
            }.get()
        } catch {
            try? await channel.close()
            throw error
        }
        let socket = BoundSocket(id: id, channel: channel, local: actual, counters: counters)
        self.registry.register(socket)
        await self.checkReceiveBuffer(channel)
        return socket
    }

    /// Linux reports twice the size it granted; warn once when it is below what was asked (net.core.rmem_max).
    private func checkReceiveBuffer(_ channel: any Channel) async {
        guard let reported = try? await channel.getOption(.socketOption(.so_rcvbuf)).get() else { return }
        let granted = Int(reported) / 2
        let wanted = self.settings.udp.receiveBufferBytes
        if granted < wanted, !self.receiveBufferWarned.exchange(true, ordering: .relaxed) {
            self.logger.warning(
                "kernel granted a smaller UDP receive buffer than configured; raise net.core.rmem_max",
                metadata: ["configured": "\(wanted)", "granted": "\(granted)"]
            )
        }
    }

    private func recordKernelDrops() {
        let drops = KernelUDPStats.read()
        var byLabel: [String: (SocketCounters, Int)] = [:]
        for socket in self.registry.all {
            let count = drops[socket.local] ?? 0
            byLabel[socket.counters.label, default: (socket.counters, 0)].1 += count
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
