/// The caps a new session must fit under; each has a documented default (docs/configuration.md).
public struct AdmissionLimits: Sendable, Equatable {
    public var maxSessionsPerRoom: Int = 200
    public var maxSessionsPerUser: Int = 5
    public var maxSessionsTotal: Int = 10_000

    public init(maxSessionsPerRoom: Int = 200, maxSessionsPerUser: Int = 5, maxSessionsTotal: Int = 10_000) {
        self.maxSessionsPerRoom = maxSessionsPerRoom
        self.maxSessionsPerUser = maxSessionsPerUser
        self.maxSessionsTotal = maxSessionsTotal
    }
}

/// Why a session was not created; the value of the `reason` label of `mediamux_admission_refused_total`.
public enum AdmissionRefusal: String, Error, Sendable, CaseIterable {
    case roomFull = "room_full"
    case userLimit = "user_limit"
    case capacity
    case portsExhausted = "ports_exhausted"
    case shuttingDown = "shutting_down"
    /// The store that holds the counts could not be asked (a shared store is down or unreachable): nothing
    /// is admitted on a guess, so no cap can be overshot.
    case unavailable = "admission_unavailable"
}

/// A claim on one session slot: which session, on which node, in which room, for which user. A store that
/// several nodes share keys its reservations by session and node, so releasing twice is harmless and a dead
/// node's reservations can be found and released.
public struct AdmissionTicket: Hashable, Sendable {
    public let session: SessionID
    public let node: String
    public let room: String
    public let user: String?

    public init(session: SessionID, node: String, room: String, user: String?) {
        self.session = session
        self.node = node
        self.room = room
        self.user = user
    }
}

/// Where session counts live, and so where caps are enforced. `LocalAdmission` keeps them in this process;
/// a store shared by several nodes implements the same two calls, each one atomic across all caps. Only
/// session creation and release wait for it, never the packet path.
public protocol AdmissionStore: Sendable {
    /// Takes a slot for the ticket, or says which cap refuses it (or `.unavailable` when the store cannot
    /// answer). Checks and takes in one step.
    func reserve(_ ticket: AdmissionTicket) async -> AdmissionRefusal?
    /// Gives back the slot of the ticket's session. Idempotent: a second release, or one for a session that
    /// holds nothing, changes nothing.
    func release(_ ticket: AdmissionTicket) async
}
