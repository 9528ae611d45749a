import MuxICE
import MuxWire

enum CheckLookup {
    case found(SessionID, STUNIntegrityKey)
    case refused(DropReason)
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
    private(set) var timers = SessionTimers()
    /// Refilled rate-limit buckets are forgotten at most once a second: that walk is over sources, not sessions.
    private var nextPrune: ContinuousClock.Instant?
    /// The last sessions to close, so the API can say how a session ended.
    private var recentlyClosed: [SessionID: SessionSnapshot] = [:]
    private var recentlyClosedOrder: [SessionID] = []
    static let recentlyClosedLimit = 1024

    init(timeouts: ICETimeouts, rateLimit: FailureRateLimiter.Settings) {
        self.timeouts = timeouts
        self.limiter = FailureRateLimiter(settings: rateLimit)
    }

    // MARK: Sessions

    /// Adds a session, unless its ufrag or id is taken (the caller picks new ones) or the router stopped accepting.
    mutating func insert(_ new: NewSession, now: ContinuousClock.Instant) -> InsertOutcome {
        guard self.accepting else { return .shuttingDown }
        guard self.byUfrag[new.credentials.ufrag] == nil, self.sessions[new.id] == nil else { return .duplicate }
        let record = SessionRecord(new, timeouts: self.timeouts, now: now)
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
            rangePort: record.new.rangePort, handler: record.new.handler
        )
    }

    func snapshot(_ id: SessionID, now: ContinuousClock.Instant) -> SessionSnapshot? {
        self.sessions[id]?.snapshot(now: now) ?? self.recentlyClosed[id]
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
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> RouteDecision {
        switch packetClass {
        case .unknown:
            return .drop(.unknownClass)
        case .stun:
            preconditionFailure("SessionRouter answers STUN in steps around the lock")
        case .dtls, .rtp, .rtcp:
            guard let id = self.byTuple[tuple], let record = self.sessions[id] else { return .drop(.unknownAddress) }
            record.new.counters.recordInbound(bytes: datagram.count)
            return .deliver(record.new.handler)
        }
    }

    // MARK: Connectivity checks, in two steps around the crypto that runs outside the lock

    /// Whose key verifies a check naming `ufrag` from `tuple`, or why there is none. A source over its
    /// failure budget gets nothing; a check for one session on another session's own range port is
    /// treated as naming an unknown ufrag.
    mutating func lookUpCheck(
        ufrag: Substring, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> CheckLookup {
        if self.limiter.isLimited(tuple.remote.ip, now: now) { return .refused(.rateLimited) }
        guard let id = self.byUfrag[String(ufrag)], let record = self.sessions[id],
              self.socketOwners[tuple.socket].map({ $0 == id }) ?? true else {
            self.chargeFailure(.unknownUfrag, from: tuple.remote.ip, now: now)
            return .refused(.unknownUfrag)
        }
        return .found(id, record.key)
    }

    /// True when `source` may not even be told why its check failed.
    mutating func isRateLimited(_ source: IPAddress, now: ContinuousClock.Instant) -> Bool {
        self.limiter.isLimited(source, now: now)
    }

    /// Charges a refusal to the source's failure budget when its reason counts against it.
    mutating func chargeFailure(_ reason: DropReason, from source: IPAddress, now: ContinuousClock.Instant) {
        if reason.chargesRateLimit { self.limiter.chargeFailure(source, now: now) }
    }

    /// Binds a tuple whose check verified; false when the session closed while the check was verified.
    mutating func bindAuthenticated(_ tuple: FiveTuple, to id: SessionID, nominated: Bool, now: ContinuousClock.Instant) -> Bool {
        guard let record = self.sessions[id] else { return false }
        self.bind(tuple, to: record, nominated: nominated, now: now)
        return true
    }

    /// Binds an authenticated tuple. A tuple bound to another session moves here: the newer check wins.
    private mutating func bind(_ tuple: FiveTuple, to record: SessionRecord, nominated: Bool, now: ContinuousClock.Instant) {
        let id = record.new.id
        if let previous = self.byTuple[tuple], previous != id, let other = self.sessions[previous] {
            self.updateState(of: other) { $0.agent.forget(tuple) }
        }
        var change = ICELiteAgent.TupleChange(added: nil, evicted: nil, selectionChanged: false)
        self.updateState(of: record) { change = $0.agent.handleAuthenticatedCheck(on: tuple, nominated: nominated, now: now) }
        if let evicted = change.evicted { self.byTuple[evicted] = nil }
        self.byTuple[tuple] = id
        if change.selectionChanged {
            // A first nomination can bring the deadline forward (consent after a longer connect timeout), and
            // the handler hears of its new path on its next tick.
            self.scheduleTick(of: record, at: now)
            self.reschedule(record, at: record.agent.nextWake())
        }
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
                if let closed = self.remove(entry.id, reason: CloseReason(expiry), now: now) { work.closed.append(closed) }
                continue
            }
            var stale: [FiveTuple] = []
            self.updateState(of: record) { stale = $0.agent.removeStaleTuples(now: now) }
            for tuple in stale where self.byTuple[tuple] == entry.id { self.byTuple[tuple] = nil }
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
