import MuxICE
import MuxWire

enum CheckLookup {
    case found(SessionID, STUNIntegrityKey)
    case refused(DropReason)
}

/// Whether a refused check hears why.
enum RefusalVerdict {
    /// Its source is over budget and it named no session: counted as `rate_limited`.
    case limited
    /// Counted under its reason, unanswered: a budget for error responses is spent.
    case silent
    /// Send the error response, if there is one.
    case answer
}

/// What an authenticated check did.
enum BindOutcome {
    /// Bound; each change of selection is logged, and its notice goes to the session's path observer.
    case bound([PathChange], [PathNotice])
    /// Another live session holds the tuple with fresh consent: it stays there.
    case conflict
    /// The session closed while the check was verified.
    case closed
}

public enum InsertOutcome: Sendable, Equatable {
    case inserted
    /// The id or ufrag is taken; pick new ones.
    case duplicate
    case shuttingDown
}

/// What to do with one received datagram.
public enum RouteDecision: Sendable {
    /// Count it under this reason and forget it.
    case drop(DropReason)
    /// Send this STUN response back on the same 5-tuple; `refused` is set when it answers a refused check.
    case reply([UInt8], refused: DropReason?)
    /// Hand it to the session's handler.
    case deliver(any SessionHandler)
}

/// The session table and its two indexes, by local ufrag and by 5-tuple, plus the failure rate limiter.
/// Entries are added and removed in pairs, and removed in one place (`remove`), whatever closed the session.
/// Pure state: no locks, no sockets, no clock; `Router` wraps it in a lock for the I/O threads.
struct RouterState: Sendable {
    let timeouts: ICETimeouts
    private(set) var sessions: [SessionID: SessionRecord] = [:]
    private(set) var byUfrag: [String: SessionID] = [:]
    private(set) var byTuple: [FiveTuple: SessionID] = [:]
    private(set) var byRoom: [String: Set<SessionID>] = [:]
    /// Range sockets and the one session each was opened for.
    private(set) var socketOwners: [SocketID: SessionID] = [:]
    private(set) var stateCounts: [SessionState: Int] = [:]
    /// Cleared at shutdown, so a session created while sessions are being closed is refused, not leaked.
    private(set) var accepting = true
    private(set) var limiter: FailureRateLimiter
    let budgets: CheckBudgets
    /// Error responses to refused checks, across every session; made full at the first refusal.
    private var errorResponses: TokenBucket?
    private(set) var timers = SessionTimers()
    /// Refilled rate-limit buckets are forgotten at most once a second: that walk is over sources, not sessions.
    private var nextPrune: ContinuousClock.Instant?
    /// The last sessions to close, so the API can say how a session ended.
    private var recentlyClosed: [SessionID: SessionSnapshot] = [:]
    private var recentlyClosedOrder: [SessionID] = []
    static let recentlyClosedLimit = 1024

    init(timeouts: ICETimeouts, rateLimit: FailureRateLimiter.Settings, budgets: CheckBudgets) {
        self.timeouts = timeouts
        self.limiter = FailureRateLimiter(settings: rateLimit)
        self.budgets = budgets
    }

    // MARK: Sessions

    /// Adds a session, unless its ufrag or id is taken (the caller picks new ones) or the router stopped accepting.
    mutating func insert(_ new: NewSession, now: ContinuousClock.Instant) -> InsertOutcome {
        guard self.accepting else { return .shuttingDown }
        guard self.byUfrag[new.credentials.ufrag] == nil, self.sessions[new.id] == nil else { return .duplicate }
        let record = SessionRecord(new, timeouts: self.timeouts, budgets: self.budgets, now: now)
        self.sessions[new.id] = record
        self.timers.schedule(new.id, at: record.wake)
        self.byUfrag[new.credentials.ufrag] = new.id
        self.byRoom[new.ticket.room, default: []].insert(new.id)
        for socket in new.ownedSockets { self.socketOwners[socket] = new.id }
        self.stateCounts[record.state, default: 0] += 1
        return .inserted
    }

    /// Refuses every later `insert`; the caller then closes what is left.
    mutating func stopAccepting() {
        self.accepting = false
    }

    /// Removes the session and every index entry that points at it.
    mutating func remove(_ id: SessionID, reason: CloseReason, now: ContinuousClock.Instant) -> ClosedSession? {
        guard let record = self.sessions.removeValue(forKey: id) else { return nil }
        record.mediaRoute.invalidate()
        self.byUfrag[record.new.credentials.ufrag] = nil
        for bound in record.agent.tuples where self.byTuple[bound.tuple] == id {
            self.byTuple[bound.tuple] = nil
        }
        for socket in record.new.ownedSockets { self.socketOwners[socket] = nil }
        let room = record.new.ticket.room
        self.byRoom[room]?.remove(id)
        if self.byRoom[room]?.isEmpty == true { self.byRoom[room] = nil }
        self.stateCounts[record.state, default: 0] -= 1
        self.remember(record.snapshot(now: now, closeReason: reason))
        return ClosedSession(
            id: id, reason: reason, ticket: record.new.ticket, ownedSockets: record.new.ownedSockets,
            rangePort: record.new.rangePort, handler: record.new.handler, pathObserver: record.new.pathObserver
        )
    }

    func snapshot(_ id: SessionID, now: ContinuousClock.Instant) -> SessionSnapshot? {
        self.sessions[id]?.snapshot(now: now) ?? self.recentlyClosed[id]
    }

    /// The route of the session that holds `tuple`, at its current version, for a packet thread's cache.
    func lookUpMedia(on tuple: FiveTuple) -> MediaRouteCache.Entry? {
        guard let id = self.byTuple[tuple], let record = self.sessions[id] else { return nil }
        return MediaRouteCache.Entry(route: record.mediaRoute, version: record.mediaRoute.currentVersion)
    }

    func selectedTuple(of id: SessionID) -> FiveTuple? {
        self.sessions[id]?.agent.selected
    }

    private mutating func remember(_ snapshot: SessionSnapshot) {
        self.recentlyClosed[snapshot.id] = snapshot
        self.recentlyClosedOrder.append(snapshot.id)
        if self.recentlyClosedOrder.count > Self.recentlyClosedLimit {
            self.recentlyClosed[self.recentlyClosedOrder.removeFirst()] = nil
        }
    }

    // MARK: Datagrams

    /// Routes one non-STUN datagram that arrived on `tuple`: two hash lookups and no allocation.
    mutating func route(
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) -> RouteDecision {
        switch packetClass {
        case .unknown:
            return .drop(.unknownClass)
        case .stun:
            preconditionFailure("SessionRouter answers STUN in steps around the lock")
        case .dtls, .rtp, .rtcp:
            guard let entry = self.lookUpMedia(on: tuple) else { return .drop(.unknownAddress) }
            return entry.route.deliver(bytes: datagram.count)
        }
    }

    // MARK: Connectivity checks, in two steps around the crypto that runs outside the lock

    /// Whose key verifies a check naming `ufrag` from `tuple`, or why none is tried. A check for one
    /// session on another session's own range port is treated as naming an unknown ufrag.
    ///
    /// The budgets are spent by failures, and they decide which checks are worth an HMAC:
    /// - a source IP the session already holds a tuple from is always verified: sharing an IP with a
    ///   flooder, or being spoofed, must not cost a live session its consent checks;
    /// - otherwise the session's own failure budget must have a token, so a flood naming it from many IPs
    ///   is capped without touching other sessions;
    /// - and the source's budget too, unless the session has no tuple yet: a neighbour behind the same
    ///   NAT may have spent it, and the session's budget already bounds what such checks cost.
    mutating func lookUpCheck(
        ufrag: Substring, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> CheckLookup {
        let source = tuple.remote.ip
        guard let id = self.byUfrag[String(ufrag)], let record = self.sessions[id],
            self.socketOwners[tuple.socket].map({ $0 == id }) ?? true
        else {
            if self.limiter.isLimited(source, now: now) { return .refused(.rateLimited) }
            self.limiter.chargeFailure(source, now: now)
            return .refused(.unknownUfrag)
        }
        if record.agent.hasTuple(from: source) { return .found(id, record.key) }
        guard record.failures.hasToken(now: now) else { return .refused(.ufragRateLimited) }
        if !record.agent.tuples.isEmpty, self.limiter.isLimited(source, now: now) { return .refused(.rateLimited) }
        return .found(id, record.key)
    }

    /// Charges a refused check to its source and to the session it named, and decides whether it is
    /// answered: not when its source is over budget, nor beyond the error-response budgets of the session
    /// and of the process (a 401 costs more to send than the check cost to verify).
    mutating func refuse(
        _ reason: DropReason, naming id: SessionID?, from source: IPAddress, now: ContinuousClock.Instant
    ) -> RefusalVerdict {
        let record = id.flatMap { self.sessions[$0] }
        let limited = self.limiter.isLimited(source, now: now)
        if reason.chargesRateLimit {
            self.limiter.chargeFailure(source, now: now)
            record?.failures.take(now: now)
        }
        if limited { return record == nil ? .limited : .silent }
        if let record, !record.errorResponses.hasToken(now: now) { return .silent }
        let rate = self.budgets.errorResponsesPerSecond
        var total = self.errorResponses ?? TokenBucket(rate: rate, burst: rate, now: now)
        defer { self.errorResponses = total }
        guard total.take(now: now) else { return .silent }
        record?.errorResponses.take(now: now)
        return .answer
    }

    /// Binds a tuple whose check verified, unless another live session holds it with fresh consent: an
    /// address belongs to one session, and anyone can make a session and so a valid check. Once the holder's
    /// consent on it has lapsed (a NAT gave a departed client's port to a new one), the newer check wins.
    mutating func bindAuthenticated(
        _ tuple: FiveTuple, to id: SessionID, nominated: Bool, now: ContinuousClock.Instant
    ) -> BindOutcome {
        guard let record = self.sessions[id] else { return .closed }
        var changes: [PathChange] = []
        var notices: [PathNotice] = []
        if let holder = self.byTuple[tuple], holder != id, let other = self.sessions[holder] {
            guard !other.agent.holdsConsent(on: tuple, now: now) else { return .conflict }
            other.mediaRoute.invalidate()
            var lost = false
            self.updateState(of: other) { lost = $0.agent.forget(tuple) }
            if lost {
                changes.append(PathChange(session: holder, kind: .lost, from: tuple, to: nil))
                if let notice = other.noticeOfMove(to: nil) { notices.append(notice) }
            }
        }
        var change = ICELiteAgent.TupleChange()
        self.updateState(of: record) {
            change = $0.agent.handleAuthenticatedCheck(on: tuple, nominated: nominated, now: now)
        }
        if let evicted = change.evicted {
            self.byTuple[evicted] = nil
            record.mediaRoute.invalidate()
        }
        self.byTuple[tuple] = id
        if change.selectionChanged {
            let kind: PathChange.Kind =
                change.previouslySelected != nil ? .switched : change.reselected ? .reselected : .selected
            changes.append(PathChange(session: id, kind: kind, from: change.previouslySelected, to: tuple))
            if let notice = record.noticeOfMove(to: tuple) { notices.append(notice) }
            // A first nomination can bring the deadline forward (consent after a longer connect timeout). The
            // handler hears of its new path on a tick that SessionRouter asks for once the notice is delivered.
            self.reschedule(record, at: record.agent.nextWake())
        }
        return .bound(changes, notices)
    }

    /// The transport under `tuple` is gone (an ICE-TCP connection closed): the tuple stops leading to its
    /// session at once, rather than when its consent runs out. When it was the selected one, the session is
    /// left without a path until the peer nominates another, or its consent expires.
    mutating func unbind(_ tuple: FiveTuple) -> (change: PathChange?, notice: PathNotice?) {
        guard let id = self.byTuple.removeValue(forKey: tuple), let record = self.sessions[id] else {
            return (nil, nil)
        }
        record.mediaRoute.invalidate()
        var lost = false
        self.updateState(of: record) { lost = $0.agent.forget(tuple) }
        guard lost else { return (nil, nil) }
        return (PathChange(session: id, kind: .lost, from: tuple, to: nil), record.noticeOfMove(to: nil))
    }

    /// Authenticated media from `tuple` (`ICELiteAgent.handleAuthenticatedMedia`). The session's timer
    /// entry is left as it is: when it comes, it finds the later deadline and sleeps until then.
    mutating func confirmConsent(of id: SessionID, on tuple: FiveTuple, now: ContinuousClock.Instant) -> Bool {
        guard let record = self.sessions[id] else { return false }
        return record.agent.handleAuthenticatedMedia(on: tuple, now: now)
    }

    private mutating func updateState(of record: SessionRecord, _ body: (SessionRecord) -> Void) {
        let before = record.state
        body(record)
        let after = record.state
        if before != after {
            self.stateCounts[before, default: 0] -= 1
            self.stateCounts[after, default: 0] += 1
        }
    }

    // MARK: Time

    /// The earliest instant at which some session needs the timer; it may come early (a stale entry).
    var nextWake: ContinuousClock.Instant? { self.timers.next }

    /// Asks for the session's handler to be ticked at `instant` (or as soon after as the timer runs).
    mutating func scheduleTick(of id: SessionID, at instant: ContinuousClock.Instant) {
        guard let record = self.sessions[id] else { return }
        self.scheduleTick(of: record, at: instant)
    }

    private mutating func scheduleTick(of record: SessionRecord, at instant: ContinuousClock.Instant) {
        record.tickDue = min(record.tickDue ?? instant, instant)
        self.reschedule(record, at: instant)
    }

    private mutating func reschedule(_ record: SessionRecord, at instant: ContinuousClock.Instant) {
        guard instant < record.wake else { return }
        record.wake = instant
        self.timers.schedule(record.new.id, at: instant)
    }

    /// Handles at most `limit` due timer entries: closes sessions whose timer ran out, unbinds tuples whose
    /// consent ran out (so an address the peer left cannot be reused to reach the session by whoever gets it
    /// next), and collects the handlers whose tick is due, for the caller to tick outside the lock.
    /// `more` is true when due entries are left, so the caller can release the lock between rounds.
    mutating func runTimers(now: ContinuousClock.Instant, limit: Int, into work: inout TimerWork) -> Bool {
        if now >= self.nextPrune ?? now {
            self.limiter.prune(now: now)
            self.nextPrune = now + .seconds(1)
        }
        for _ in 0..<limit {
            guard let entry = self.timers.popDue(now: now) else { return false }
            work.examined += 1
            guard let record = self.sessions[entry.id], record.wake == entry.at else { continue }
            if let expiry = record.agent.expiry(now: now) {
                if let closed = self.remove(entry.id, reason: CloseReason(expiry), now: now) {
                    work.closed.append(closed)
                }
                continue
            }
            var stale: [FiveTuple] = []
            self.updateState(of: record) { stale = $0.agent.removeStaleTuples(now: now) }
            for tuple in stale where self.byTuple[tuple] == entry.id { self.byTuple[tuple] = nil }
            if !stale.isEmpty { record.mediaRoute.invalidate() }
            if let due = record.tickDue, due <= now {
                record.tickDue = nil
                work.ticks.append(record.new.handler)
            }
            // Never at or before now, so a round always ends.
            let ice = record.agent.nextWake()
            let wake = max(record.tickDue.map { min(ice, $0) } ?? ice, now + .milliseconds(1))
            record.wake = wake
            self.timers.schedule(entry.id, at: wake)
        }
        return self.timers.hasDue(now: now)
    }
}

/// What one run of the timers leaves for the caller, outside the router's lock.
public struct TimerWork: Sendable {
    /// Sessions closed because a timer ran out; release what they held.
    public var closed: [ClosedSession] = []
    /// Handlers whose `handleTick` is due.
    public var ticks: [any SessionHandler] = []
    /// Timer entries looked at: the cost of the run.
    public var examined = 0

    public init() {}
}
