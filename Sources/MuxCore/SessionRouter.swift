import MuxICE
import MuxWire
import Synchronization

/// The session table shared by every I/O thread and the control API. Each call takes one short lock;
/// nothing inside it blocks, sends or allocates on the media path. Handlers are called by the caller,
/// outside the lock.
///
/// Drive it like this:
/// - for each received datagram, `route(_:class:on:now:)`, then act on the decision;
/// - for new sessions, `insert(_:now:)` after admission; for deletions, `close(_:reason:now:)`;
/// - on a timer, `expire(now:)`, then release what each `ClosedSession` held; re-arm for `nextDeadline()`.
public final class SessionRouter: Sendable {
    private let state: Mutex<RouterState>
    private let metrics: CoreMetrics

    public init(timeouts: ICETimeouts, rateLimit: FailureRateLimiter.Settings, metrics: CoreMetrics) {
        self.state = Mutex(RouterState(timeouts: timeouts, rateLimit: rateLimit))
        self.metrics = metrics
    }

    public func route(
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> RouteDecision {
        self.state.withLock { state in
            let decision = state.route(datagram, class: packetClass, on: tuple, now: now)
            if packetClass == .stun, case .reply(_, refused: nil) = decision {
                self.metrics.record(sessionCounts: state.stateCounts)
            }
            return decision
        }
    }

    public func insert(_ session: NewSession, now: ContinuousClock.Instant) -> Bool {
        self.state.withLock { state in
            defer { self.metrics.record(sessionCounts: state.stateCounts) }
            return state.insert(session, now: now)
        }
    }

    public func close(_ id: SessionID, reason: CloseReason, now: ContinuousClock.Instant) -> ClosedSession? {
        let closed = self.state.withLock { state in
            defer { self.metrics.record(sessionCounts: state.stateCounts) }
            return state.remove(id, reason: reason, now: now)
        }
        if let closed { self.metrics.recordClosed(closed.reason) }
        return closed
    }

    public func closeAll(reason: CloseReason, now: ContinuousClock.Instant) -> [ClosedSession] {
        let closed = self.state.withLock { state in
            defer { self.metrics.record(sessionCounts: state.stateCounts) }
            return Array(state.sessions.keys).compactMap { state.remove($0, reason: reason, now: now) }
        }
        for session in closed { self.metrics.recordClosed(session.reason) }
        return closed
    }

    public func expire(now: ContinuousClock.Instant) -> [ClosedSession] {
        let closed = self.state.withLock { state in
            defer { self.metrics.record(sessionCounts: state.stateCounts) }
            return state.expire(now: now)
        }
        for session in closed { self.metrics.recordClosed(session.reason) }
        return closed
    }

    public func nextDeadline() -> ContinuousClock.Instant? {
        self.state.withLock { $0.nextDeadline() }
    }

    public func selectedTuple(of id: SessionID) -> FiveTuple? {
        self.state.withLock { $0.selectedTuple(of: id) }
    }

    public func snapshot(_ id: SessionID, now: ContinuousClock.Instant) -> SessionSnapshot? {
        self.state.withLock { $0.snapshot(id, now: now) }
    }

    public func snapshots(inRoom room: String, now: ContinuousClock.Instant) -> [SessionSnapshot] {
        self.state.withLock { state in
            (state.byRoom[room] ?? []).compactMap { state.snapshot($0, now: now) }.sorted { $0.age > $1.age }
        }
    }

    /// Live session count per room.
    public func rooms() -> [String: Int] {
        self.state.withLock { $0.byRoom.mapValues(\.count) }
    }

    /// Sizes of every table, for the leak tests and the shutdown log.
    public var tableSizes: TableSizes {
        self.state.withLock { state in
            TableSizes(
                sessions: state.sessions.count, ufrags: state.byUfrag.count, tuples: state.byTuple.count,
                rooms: state.byRoom.count, rateLimitedSources: state.limiter.trackedSources
            )
        }
    }

    public struct TableSizes: Sendable, Equatable {
        public var sessions: Int
        public var ufrags: Int
        public var tuples: Int
        public var rooms: Int
        public var rateLimitedSources: Int

        public var isEmpty: Bool { self.sessions == 0 && self.ufrags == 0 && self.tuples == 0 && self.rooms == 0 }
    }
}
