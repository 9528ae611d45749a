import MuxICE
import MuxWire

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
    private(set) var stateCounts: [SessionState: Int] = [:]
    private(set) var limiter: FailureRateLimiter
    /// The last sessions to close, so the API can say how a session ended.
    private var recentlyClosed: [SessionID: SessionSnapshot] = [:]
    private var recentlyClosedOrder: [SessionID] = []
    static let recentlyClosedLimit = 1024

    init(timeouts: ICETimeouts, rateLimit: FailureRateLimiter.Settings) {
        self.timeouts = timeouts
        self.limiter = FailureRateLimiter(settings: rateLimit)
    }

    // MARK: Sessions

    /// Adds a session; false when its ufrag or id is already taken (the caller picks new credentials).
    mutating func insert(_ new: NewSession, now: ContinuousClock.Instant) -> Bool {
        guard self.byUfrag[new.credentials.ufrag] == nil, self.sessions[new.id] == nil else { return false }
        let record = SessionRecord(new, timeouts: self.timeouts, now: now)
        self.sessions[new.id] = record
        self.byUfrag[new.credentials.ufrag] = new.id
        self.byRoom[new.ticket.room, default: []].insert(new.id)
        self.stateCounts[record.state, default: 0] += 1
        return true
    }

    /// Removes the session and every index entry that points at it.
    mutating func remove(_ id: SessionID, reason: CloseReason, now: ContinuousClock.Instant) -> ClosedSession? {
        guard let record = self.sessions.removeValue(forKey: id) else { return nil }
        self.byUfrag[record.new.credentials.ufrag] = nil
        for bound in record.agent.tuples where self.byTuple[bound.tuple] == id {
            self.byTuple[bound.tuple] = nil
        }
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

    /// Routes one datagram that arrived on `tuple`. Media from a bound tuple costs two hash lookups and
    /// no allocation; STUN is parsed and answered here.
    mutating func route(
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple, now: ContinuousClock.Instant
    ) -> RouteDecision {
        switch packetClass {
        case .unknown:
            return .drop(.unknownClass)
        case .stun:
            return self.routeSTUN(datagram, on: tuple, now: now)
        case .dtls, .rtp, .rtcp:
            guard let id = self.byTuple[tuple], let record = self.sessions[id] else { return .drop(.unknownAddress) }
            record.new.counters.recordInbound(bytes: datagram.count)
            return .deliver(record.new.handler)
        }
    }

    private mutating func routeSTUN(_ datagram: UnsafeRawBufferPointer, on tuple: FiveTuple, now: ContinuousClock.Instant) -> RouteDecision {
        guard let request = try? STUNMessage(parsing: datagram) else { return .drop(.malformed) }
        guard request.type == .bindingRequest else { return .drop(.unexpectedSTUN) }
        let source = tuple.remote.ip
        if self.limiter.isLimited(source, now: now) { return .drop(.rateLimited) }

        let ufrag: Substring
        switch ConnectivityCheck.precheck(request) {
        case .success(let name):
            ufrag = name
        case .failure(let refused):
            return self.refuse(DropReason(refused.refusal), response: refused.response, from: source, now: now)
        }
        guard let id = self.byUfrag[String(ufrag)], let record = self.sessions[id] else {
            return self.refuse(.unknownUfrag, response: nil, from: source, now: now)
        }

        switch ConnectivityCheck.respond(to: request, from: tuple.remote, key: record.key) {
        case .refused(let refusal, let response):
            return self.refuse(DropReason(refusal), response: response, from: source, now: now)
        case .accepted(let response, let nominated):
            self.bind(tuple, to: record, nominated: nominated, now: now)
            return .reply(response, refused: nil)
        }
    }

    private mutating func refuse(_ reason: DropReason, response: [UInt8]?, from source: IPAddress, now: ContinuousClock.Instant) -> RouteDecision {
        if reason.chargesRateLimit { self.limiter.chargeFailure(source, now: now) }
        guard let response else { return .drop(reason) }
        return .reply(response, refused: reason)
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

    /// The earliest instant at which some session may expire.
    func nextDeadline() -> ContinuousClock.Instant? {
        self.sessions.values.lazy.map { $0.agent.pollTimeout() }.min()
    }

    /// Closes every session whose timer ran out, and forgets refilled rate-limit buckets.
    mutating func expire(now: ContinuousClock.Instant) -> [ClosedSession] {
        self.limiter.prune(now: now)
        let expired = self.sessions.compactMap { id, record in record.agent.expiry(now: now).map { (id, $0) } }
        return expired.compactMap { id, expiry in self.remove(id, reason: CloseReason(expiry), now: now) }
    }
}
