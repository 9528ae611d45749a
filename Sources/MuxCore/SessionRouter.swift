import Logging
import MuxICE
import MuxWire
import Synchronization

/// The session table shared by every I/O thread and the control API. Each call takes one short lock;
/// nothing inside it blocks, sends or allocates on the media path. Handlers are called by the caller,
/// outside the lock.
///
/// Drive it like this:
/// - for each received datagram, `route(_:class:on:now:)`, then act on the decision; a packet thread routes
///   DTLS, RTP and RTCP through its own `MediaRouteCache` instead, which asks `lookUpMedia(on:)` once per tuple;
/// - for new sessions, `insert(_:now:)` after admission; for deletions, `close(_:reason:now:)`;
/// - on a timer, `runTimers(now:)`: release what each closed session held and tick the handlers it returns,
///   outside the lock; re-arm for `nextWake()`. Its cost is the number of timers due, not of sessions.
public final class SessionRouter: Sendable {
    private let state: Mutex<RouterState>
    private let metrics: CoreMetrics
    private let logger: Logger
    private let wakeEarlier: @Sendable () -> Void

    /// `wakeEarlier` is called, outside the lock, when a tick is asked for before `nextWake()` was (as a move
    /// of the selected pair does), so that whoever runs the timers and sleeps until then can wake.
    public init(
        timeouts: ICETimeouts, rateLimit: FailureRateLimiter.Settings, budgets: CheckBudgets = CheckBudgets(),
        metrics: CoreMetrics, logger: Logger = Logger(label: "mediamux.router"),
        wakeEarlier: @escaping @Sendable () -> Void = {}
    ) {
        self.state = Mutex(RouterState(timeouts: timeouts, rateLimit: rateLimit, budgets: budgets))
        self.metrics = metrics
        self.logger = logger
        self.wakeEarlier = wakeEarlier
    }

    public func route(
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) -> RouteDecision {
        switch packetClass {
        case .unknown: return .drop(.unknownClass)
        case .stun: return self.answerCheck(datagram, on: tuple, now: now)
        case .dtls, .rtp, .rtcp:
            return self.state.withLock { $0.route(datagram, class: packetClass, on: tuple, now: now) }
        }
    }

    /// For a packet thread's `MediaRouteCache`: the route of the session that holds `tuple`, if one does.
    public func lookUpMedia(on tuple: FiveTuple) -> MediaRouteCache.Entry? {
        self.state.withLock { $0.lookUpMedia(on: tuple) }
    }

    /// Parsing, CRC-32 and HMAC-SHA1 run outside the lock; the lock is taken only to look up the key and
    /// to bind, so a flood of checks does not stall media on other threads.
    ///
    /// The cheapest refusal comes first: the ufrag is read in place (`STUNCheckPeek`) and looked up before
    /// the check is parsed, so a check the budgets refuse costs no copy, no allocation, no CRC and no HMAC.
    private func answerCheck(
        _ datagram: UnsafeRawBufferPointer, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> RouteDecision {
        let source = tuple.remote.ip
        guard let ufrag = STUNCheckPeek.localUfrag(of: datagram) else {
            // Not framed as a check: the parse and precheck say why (FuzzSTUN checks that precheck accepts
            // nothing the peek refuses).
            guard let request = try? STUNMessage(parsing: datagram) else { return .drop(.malformed) }
            guard request.type == .bindingRequest else { return .drop(.unexpectedSTUN) }
            guard case .failure(let refused) = ConnectivityCheck.precheck(request) else { return .drop(.malformed) }
            return self.refuse(
                DropReason(refused.refusal), response: refused.response, naming: nil, from: source, now: now)
        }
        let id: SessionID
        let key: STUNIntegrityKey
        switch self.state.withLock({ $0.lookUpCheck(ufrag: ufrag[...], on: tuple, now: now) }) {
        case .found(let foundID, let foundKey): (id, key) = (foundID, foundKey)
        case .refused(let reason): return .drop(reason)
        }
        // Framing held; the parse checks every attribute's length and precheck the FINGERPRINT's CRC.
        guard let request = try? STUNMessage(parsing: datagram) else { return .drop(.malformed) }
        if case .failure(let refused) = ConnectivityCheck.precheck(request) {
            return self.refuse(
                DropReason(refused.refusal), response: refused.response, naming: nil, from: source, now: now)
        }

        switch ConnectivityCheck.respond(to: request, from: tuple.remote, key: key) {
        case .refused(let refusal, let response):
            return self.refuse(DropReason(refusal), response: response, naming: id, from: source, now: now)
        case .accepted(let response, let nominated):
            let outcome = self.state.withLock { state in
                let before = state.stateCounts
                let outcome = state.bindAuthenticated(tuple, to: id, nominated: nominated, now: now)
                if state.stateCounts != before { self.metrics.record(sessionCounts: state.stateCounts) }
                return outcome
            }
            switch outcome {
            case .bound(let changes, let notices):
                for change in changes { self.report(change) }
                // The sender knows its path before the handler's tick tells the handler of it.
                for notice in notices { notice.deliver() }
                if changes.contains(where: { $0.session == id && $0.to != nil }) { self.scheduleTick(of: id, at: now) }
                return .reply(response, refused: nil)
            case .conflict:
                return .drop(.addressConflict)
            case .closed:
                return .drop(.unknownUfrag)
            }
        }
    }

    /// A refused check costs its source and the session it named part of their failure budgets; it is
    /// answered only while its source has budget left and the error-response budgets allow.
    private func refuse(
        _ reason: DropReason, response: [UInt8]?, naming id: SessionID?, from source: IPAddress,
        now: ContinuousClock.Instant
    ) -> RouteDecision {
        switch self.state.withLock({ $0.refuse(reason, naming: id, from: source, now: now) }) {
        case .limited:
            return .drop(.rateLimited)
        case .silent:
            if response != nil { self.metrics.recordUnansweredRefusal() }
            return .drop(reason)
        case .answer:
            guard let response else { return .drop(reason) }
            return .reply(response, refused: reason)
        }
    }

    private func report(_ change: PathChange) {
        self.metrics.record(change.kind)
        let level: Logger.Level = change.kind == .selected ? .debug : .info
        self.logger.log(
            level: level, "selected pair \(change.kind.rawValue)",
            metadata: [
                "session": "\(change.session)", "from": "\(change.from.map(String.init(describing:)) ?? "none")",
                "to": "\(change.to.map(String.init(describing:)) ?? "none")",
            ])
    }

    public func insert(_ session: NewSession, now: ContinuousClock.Instant) -> InsertOutcome {
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
        if let closed { self.didClose([closed]) }
        return closed
    }

    /// Closes every session and refuses new ones from then on.
    public func closeAll(reason: CloseReason, now: ContinuousClock.Instant) -> [ClosedSession] {
        let closed = self.state.withLock { state in
            defer { self.metrics.record(sessionCounts: state.stateCounts) }
            state.stopAccepting()
            return Array(state.sessions.keys).compactMap { state.remove($0, reason: reason, now: now) }
        }
        self.didClose(closed)
        return closed
    }

    /// Runs the timers that are due, in rounds of `timersPerLock` entries so that packet threads never wait
    /// on the lock for long, however many come due at once.
    public func runTimers(now: ContinuousClock.Instant) -> TimerWork {
        var work = TimerWork()
        var more = true
        while more {
            more = self.state.withLock { state in
                let before = state.stateCounts
                let more = state.runTimers(now: now, limit: Self.timersPerLock, into: &work)
                if state.stateCounts != before { self.metrics.record(sessionCounts: state.stateCounts) }
                return more
            }
        }
        self.didClose(work.closed)
        return work
    }

    static let timersPerLock = 256

    /// Outside the lock: counted, and their senders stop.
    private func didClose(_ closed: [ClosedSession]) {
        for session in closed {
            self.metrics.recordClosed(session.reason)
            session.pathObserver?.sessionClosed()
        }
    }

    /// Asks for `handleTick` on the session's handler at `instant`; a handler asks through its sender.
    public func scheduleTick(of id: SessionID, at instant: ContinuousClock.Instant) {
        let earlier = self.state.withLock { state in
            let before = state.nextWake
            state.scheduleTick(of: id, at: instant)
            return before.map { instant < $0 } ?? true
        }
        if earlier { self.wakeEarlier() }
    }

    /// When `runTimers` next has work, at the earliest; nil with no session.
    public func nextWake() -> ContinuousClock.Instant? {
        self.state.withLock { $0.nextWake }
    }

    /// The transport under `tuple` closed (an ICE-TCP connection): see `RouterState.unbind`.
    public func transportClosed(_ tuple: FiveTuple) {
        let (change, notice) = self.state.withLock { state in
            let before = state.stateCounts
            defer { if state.stateCounts != before { self.metrics.record(sessionCounts: state.stateCounts) } }
            return state.unbind(tuple)
        }
        if let change { self.report(change) }
        notice?.deliver()
    }

    /// See `RouterState.confirmConsent`; a handler calls it through its sender, at most every
    /// `SessionContext.consentConfirmationInterval`.
    @discardableResult
    public func confirmConsent(of id: SessionID, on tuple: FiveTuple, now: ContinuousClock.Instant) -> Bool {
        self.state.withLock { $0.confirmConsent(of: id, on: tuple, now: now) }
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
                rooms: state.byRoom.count, rateLimitedSources: state.limiter.trackedSources, timers: state.timers.count
            )
        }
    }

    public struct TableSizes: Sendable, Equatable {
        public var sessions: Int
        public var ufrags: Int
        public var tuples: Int
        public var rooms: Int
        public var rateLimitedSources: Int
        /// Entries in the timer heap, stale ones included: within a consent timeout of the last session's
        /// close it drains to 0.
        public var timers: Int

        public var isEmpty: Bool { self.sessions == 0 && self.ufrags == 0 && self.tuples == 0 && self.rooms == 0 }
    }
}
