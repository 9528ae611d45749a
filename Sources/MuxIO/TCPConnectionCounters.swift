import CoreMetrics
import MuxCore
import Synchronization

/// The counters of one ICE-TCP listener address, shared by the packet threads that accept on it: frames,
/// bytes and drops as for a UDP socket (`frames`), plus what happened to connections. Connection events are
/// rare next to frames, so they go straight to the exported counters; the gauges are set when published.
final class TCPConnectionCounters: Sendable {
    let label: String
    let frames: SocketCounters
    private let opened: Counter
    private let refused: [TCPRefusal: Counter]
    private let closed: [TCPCloseReason: Counter]
    private let pending = Atomic<Int>(0)
    private let authenticated = Atomic<Int>(0)
    private let pendingGauge: Gauge
    private let authenticatedGauge: Gauge

    init(label: String, threads: Int, factory: any MetricsFactory) {
        self.label = label
        self.frames = SocketCounters(label: label, family: .tcp, threads: threads, factory: factory)
        let listener = [("listener", label)]
        self.opened = Counter(label: "mediamux_tcp_connections_opened_total", dimensions: listener, factory: factory)
        self.opened.increment(by: 0)
        self.refused = Counter.perCase(
            of: TCPRefusal.self, label: "mediamux_tcp_refused_total", dimensions: listener, dimension: "reason",
            factory: factory)
        self.closed = Counter.perCase(
            of: TCPCloseReason.self, label: "mediamux_tcp_closed_total", dimensions: listener, dimension: "reason",
            factory: factory)
        self.pendingGauge = Gauge(
            label: "mediamux_tcp_connections", dimensions: listener + [("state", "waiting")], factory: factory)
        self.authenticatedGauge = Gauge(
            label: "mediamux_tcp_connections", dimensions: listener + [("state", "authenticated")], factory: factory)
        self.publish()
    }

    func didOpen() {
        self.opened.increment()
        self.pending.add(1, ordering: .relaxed)
    }

    func didRefuse(_ reason: TCPRefusal) {
        self.refused[reason]!.increment()
    }

    /// The connection's first check authenticated.
    func didAuthenticate() {
        self.pending.subtract(1, ordering: .relaxed)
        self.authenticated.add(1, ordering: .relaxed)
    }

    func didClose(_ reason: TCPCloseReason, wasAuthenticated: Bool) {
        self.closed[reason]!.increment()
        if wasAuthenticated {
            self.authenticated.subtract(1, ordering: .relaxed)
        } else {
            self.pending.subtract(1, ordering: .relaxed)
        }
    }

    /// Connections open now, waiting and authenticated.
    var openConnections: (waiting: Int, authenticated: Int) {
        (self.pending.load(ordering: .relaxed), self.authenticated.load(ordering: .relaxed))
    }

    func publish() {
        self.frames.publish()
        let open = self.openConnections
        self.pendingGauge.record(open.waiting)
        self.authenticatedGauge.record(open.authenticated)
    }
}
