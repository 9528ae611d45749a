import Logging
import MuxCluster
import MuxCore
import MuxSessions
import ServiceLifecycle
import Synchronization

/// Draining a cluster node: the store shows it `draining`, so no new room is placed on it; its sessions go on
/// until they end or `shutdown.drain_timeout` passes, and those left are then closed with reason `shutdown`,
/// which sends each peer a DTLS close_notify so that browsers notice at once. `/healthz` answers 503
/// `draining` from the start, for readiness probes.
final class NodeDrain: Sendable {
    private let mux: SessionManager
    private let store: ClusterStore
    private let timeout: Duration
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(mux: SessionManager, store: ClusterStore, timeout: Duration, logger: Logger) {
        self.mux = mux
        self.store = store
        self.timeout = timeout
        self.logger = logger
    }

    var isDraining: Bool { self.task.withLock { $0 != nil } }

    /// Starts the drain, once; the task ends when the node is empty.
    @discardableResult
    func start() -> Task<Void, Never> {
        self.task.withLock { task in
            if let task { return task }
            let drain = Task { await self.drain() }
            task = drain
            return drain
        }
    }

    private func drain() async {
        self.store.startDraining()
        await self.store.announceState()
        let deadline = ContinuousClock.now + self.timeout
        self.logger.notice(
            "draining: no new rooms here; sessions end by the deadline",
            metadata: ["sessions": "\(self.sessionCount)", "drain_timeout": "\(self.timeout)"])
        while ContinuousClock.now < deadline, self.sessionCount > 0 {
            try? await Task.sleep(for: .milliseconds(250))
        }
        let closed = await self.mux.closeEverySession(reason: .shutdown)
        self.logger.notice("drained", metadata: ["closed_at_deadline": "\(closed)"])
    }

    private var sessionCount: Int { self.mux.rooms().values.reduce(0, +) }
}

/// The last of the application's services, so the first to hear of a graceful shutdown (SIGTERM): a cluster
/// node drains before the API and the sessions stop.
struct DrainOnShutdown: Service {
    let drain: NodeDrain

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: no drain
        }
        await self.drain.start().value
    }
}
