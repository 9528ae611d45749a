import CoreMetrics
import Logging
import MuxCore
import MuxICE
import MuxIO
import MuxWire
import ServiceLifecycle
import Synchronization

/// Sessions from admission to release, above the transports: it admits a session, makes its handler, asks the
/// transport for its ports and sender, signals its candidates (with the NAT's public addresses), and gives all
/// of it back when the session closes, for whatever reason and on whatever thread.
///
/// Build it with `bind(...)`, which fails fast when a port is taken; then run it as a `Service`. On graceful
/// shutdown it stops admitting, closes every session with reason `shutdown`, and closes the transport.
public final class SessionManager: Service, Sendable {
    /// Internal: sessions are made and closed here (`createSession`, `closeSession`), which release what they
    /// hold; the router's own `insert` and `close` would not.
    let router: SessionRouter
    public let transport: UDPTransport
    let settings: MuxSettings
    let admission: any AdmissionStore
    let coreMetrics: CoreMetrics
    let handlers: [String: SessionHandlerFactory]
    /// Counters the handlers keep per packet thread (the SRTP totals), published with the transport's.
    let handlerCounters: [ShardedCounters]
    /// Made once from the addresses the transport bound and the NAT's.
    let candidates: HostCandidates
    let logger: Logger
    let stopping = Atomic<Bool>(false)
    private let timers: TimerThread
    /// Closed by the timer thread or by their handlers, to be released by `run`.
    let awaitingRelease: ClosedSessionQueue

    private init(
        router: SessionRouter, transport: UDPTransport, timers: TimerThread, awaitingRelease: ClosedSessionQueue,
        settings: MuxSettings, admission: any AdmissionStore, coreMetrics: CoreMetrics,
        handlers: [String: SessionHandlerFactory], handlerCounters: [ShardedCounters], logger: Logger
    ) {
        self.router = router
        self.transport = transport
        self.timers = timers
        self.awaitingRelease = awaitingRelease
        self.settings = settings
        self.admission = admission
        self.coreMetrics = coreMetrics
        self.handlers = handlers
        self.handlerCounters = handlerCounters
        self.candidates = HostCandidates(bindAddresses: transport.bindAddresses, announced: settings.udp.announced)
        self.logger = logger
    }

    /// Binds the transport's single-port sockets and starts the timers; returns a manager ready to run.
    /// `handlerCounters` are counters the handlers keep per packet thread, published with the transport's.
    public static func bind(
        settings: MuxSettings, admission: any AdmissionStore, metricsFactory: any MetricsFactory,
        handlers: [String: SessionHandlerFactory] = SessionManager.standardHandlers,
        handlerCounters: [ShardedCounters] = [], logger: Logger
    ) async throws -> SessionManager {
        let coreMetrics = CoreMetrics(factory: metricsFactory)
        let awaitingRelease = ClosedSessionQueue()
        let timers = TimerThread(interval: settings.tick) { awaitingRelease.append($0) }
        let router = SessionRouter(
            timeouts: settings.timeouts, rateLimit: settings.rateLimit, budgets: settings.checkBudgets,
            metrics: coreMetrics, logger: logger, wakeEarlier: { timers.wake() }
        )
        var tcp = settings.tcp
        tcp.trusted = settings.rateLimit.trusted
        let transport = try await UDPTransport.bind(
            settings.udp, tcp: tcp, plainPortAddress: settings.plainPortAddress, router: router,
            handlerNames: handlers.keys,
            metricsFactory: metricsFactory, logger: logger)
        // Here, not in `run`: a session made before the service's task gets a thread (the API may create one at
        // once) still has its ticks and deadlines.
        timers.start(router: router)
        return SessionManager(
            router: router, transport: transport, timers: timers, awaitingRelease: awaitingRelease,
            settings: settings, admission: admission, coreMetrics: coreMetrics, handlers: handlers,
            handlerCounters: handlerCounters, logger: logger)
    }

    /// Handlers that need no DTLS: `datagram_echo` returns datagrams as they arrived (an ICE-level
    /// loopback for diagnostics), `discard` drops them. Media handlers are added by the application.
    public static let standardHandlers: [String: SessionHandlerFactory] = [
        "datagram_echo": { EchoHandler(context: $0) },
        "discard": { _ in DiscardHandler() },
    ]

    public func hasHandler(named name: String) -> Bool {
        self.handlers[name] != nil
    }

    /// The single-port addresses as bound (the real port when 0 was configured).
    public var singlePortAddresses: [TransportAddress] {
        self.transport.singlePortAddresses
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

    /// Brings the exported counters kept per packet thread (the sockets', the handlers') up to date with what
    /// the threads counted; `run` does it once a second, /metrics before every scrape.
    public func publishCounters() {
        self.transport.publishCounters()
        self.publishHandlerCounters()
    }

    private func publishHandlerCounters() {
        for counters in self.handlerCounters { counters.publish() }
    }

    /// The media routes the packet threads still cache once they forgot those of closed sessions and moved
    /// tuples: what the live sessions' tuples need, and 0 when none is left.
    public func cachedMediaRoutes() async -> Int {
        await self.transport.cachedMediaRoutesByThread().reduce(0, +)
    }

    // MARK: Service

    /// Releases what the timer thread and the handlers closed, and does the transport's housekeeping (kernel
    /// drops and stale media routes once a second, freed memory every `trimInterval`), until graceful
    /// shutdown.
    public func run() async throws {
        guard !self.stopping.load(ordering: .acquiring) else { return }
        try? await cancelWhenGracefulShutdown {
            var housekeepingDue = ContinuousClock.now
            var trimDue = ContinuousClock.now + UDPTransport.trimInterval
            while !Task.isCancelled {
                let now = ContinuousClock.now
                await self.release(self.awaitingRelease.takeAll())
                if now >= housekeepingDue {
                    // It publishes the socket counters.
                    self.transport.housekeep()
                    self.publishHandlerCounters()
                    housekeepingDue = now + .seconds(1)
                }
                if now >= trimDue {
                    self.transport.trimFreedMemory()
                    trimDue = now + UDPTransport.trimInterval
                }
                try await Task.sleep(until: now + self.settings.tick, clock: .continuous)
            }
        }
        await self.shutdown()
    }

    /// Stops admitting, closes every session with reason `shutdown`, closes the transport.
    public func shutdown() async {
        guard !self.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.timers.stop()
        await self.release(self.awaitingRelease.takeAll())
        let closed = self.router.closeAll(reason: .shutdown, now: .now)
        await self.release(closed)
        await self.transport.close()
        // A handler on a packet thread may have taken its session out of the router after closeAll read it and
        // queued it only afterwards; the threads have stopped now, so nothing more comes.
        await self.release(self.awaitingRelease.takeAll())
        // Their farewells were counted after the transport's last publish.
        self.publishCounters()
        self.logger.info("udp mux stopped", metadata: ["sessions_closed": "\(closed.count)"])
    }
}
