import MuxICE
import MuxWire

/// Everything the router needs to add a session that admission already accepted.
public struct NewSession: Sendable {
    public var id: SessionID
    public var ticket: AdmissionTicket
    public var handlerName: String
    public var credentials: ICECredentials
    public var handler: any SessionHandler
    public var counters: SessionCounters
    /// Sockets opened for this session alone (range mode), closed with it.
    public var ownedSockets: [SocketID]
    public var rangePort: Int?
    /// Told of every move of the selected pair, and of the close.
    public var pathObserver: (any PathObserver)?

    /// The session's id is its ticket's.
    public init(
        ticket: AdmissionTicket, handlerName: String, credentials: ICECredentials,
        handler: any SessionHandler, counters: SessionCounters, ownedSockets: [SocketID] = [], rangePort: Int? = nil,
        pathObserver: (any PathObserver)? = nil
    ) {
        self.id = ticket.session
        self.ticket = ticket
        self.handlerName = handlerName
        self.credentials = credentials
        self.handler = handler
        self.counters = counters
        self.ownedSockets = ownedSockets
        self.rangePort = rangePort
        self.pathObserver = pathObserver
    }
}

/// One live session inside the router. `@unchecked Sendable`: it is only touched under the router's lock.
final class SessionRecord: @unchecked Sendable {
    let new: NewSession
    let key: STUNIntegrityKey
    var agent: ICELiteAgent
    /// The instant of this session's live entry in the router's timers.
    var wake: ContinuousClock.Instant
    /// When the handler asked for its next `handleTick`, if it did.
    var tickDue: ContinuousClock.Instant?
    /// Failed checks naming this session, from sources it has no tuple from.
    var failures: TokenBucket
    /// Error responses to refused checks naming this session.
    var errorResponses: TokenBucket
    /// Moves of the selected pair so far: the generation of the last `PathNotice`.
    var pathGeneration: UInt64 = 0
    /// What the packet threads cache to deliver media without the router (`MediaRouteCache`).
    let mediaRoute: MediaRoute

    init(_ new: NewSession, timeouts: ICETimeouts, budgets: CheckBudgets, now: ContinuousClock.Instant) {
        self.new = new
        self.mediaRoute = MediaRoute(handler: new.handler, counters: new.counters)
        self.key = STUNIntegrityKey(password: new.credentials.password)
        self.agent = ICELiteAgent(timeouts: timeouts, now: now)
        self.wake = self.agent.nextWake()
        self.failures = TokenBucket(
            rate: budgets.sessionFailuresPerSecond, burst: budgets.sessionFailureBurst, now: now)
        let responses = budgets.errorResponsesPerSessionPerSecond
        self.errorResponses = TokenBucket(rate: responses, burst: responses, now: now)
    }

    var state: SessionState { SessionState(self.agent.state) }

    /// The notice of a move of the selection to `tuple`, for the observer, if there is one.
    func noticeOfMove(to tuple: FiveTuple?) -> PathNotice? {
        self.pathGeneration += 1
        return self.new.pathObserver.map { PathNotice(observer: $0, tuple: tuple, generation: self.pathGeneration) }
    }

    /// What the API shows: ICE-connected but not ready for media (DTLS still handshaking) reads `handshaking`.
    var visibleState: SessionState {
        let state = self.state
        return state == .connected && !self.new.handler.isReady ? .handshaking : state
    }

    func snapshot(now: ContinuousClock.Instant, closeReason: CloseReason? = nil) -> SessionSnapshot {
        SessionSnapshot(
            id: self.new.id, room: self.new.ticket.room, user: self.new.ticket.user, handler: self.new.handlerName,
            localCredentials: self.new.credentials, state: closeReason == nil ? self.visibleState : .closed,
            iceState: closeReason == nil ? self.state : .closed, closeReason: closeReason,
            tuples: self.agent.tuples.map(\.tuple), selected: self.agent.selected,
            traffic: self.new.counters.snapshot, age: now - self.agent.createdAt
        )
    }
}
