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
}

/// A claim on one session slot in a room, for a user if there is one.
public struct AdmissionTicket: Hashable, Sendable {
    public let room: String
    public let user: String?

    public init(room: String, user: String?) {
        self.room = room
        self.user = user
    }
}

/// Where session counts live, and so where caps are enforced. `LocalAdmission` keeps them in this process;
/// a store shared by several nodes implements the same two calls, each one atomic across all caps.
public protocol AdmissionStore: Sendable {
    /// Takes a slot for the ticket, or says which cap refuses it. Checks and takes in one step.
    func reserve(_ ticket: AdmissionTicket) async -> AdmissionRefusal?
    /// Gives back a slot taken by `reserve`.
    func release(_ ticket: AdmissionTicket) async
}
