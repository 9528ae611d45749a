import MuxICE

/// A session's state as the API shows it.
public enum SessionState: String, Sendable, CaseIterable, Codable {
    case new
    case checking
    case connected
    case closed

    init(_ state: ICELiteAgent.State) {
        switch state {
        case .new: self = .new
        case .checking: self = .checking
        case .connected: self = .connected
        }
    }
}

/// A copy of one session's public state, taken under the router's lock.
public struct SessionSnapshot: Sendable {
    public let id: SessionID
    public let room: String
    public let user: String?
    public let handler: String
    public let localCredentials: ICECredentials
    public let state: SessionState
    public let closeReason: CloseReason?
    public let tuples: [FiveTuple]
    public let selected: FiveTuple?
    public let traffic: TrafficCounts
    public let age: Duration
}

/// What the I/O layer must release after a session left the router's tables.
public struct ClosedSession: Sendable {
    public let id: SessionID
    public let reason: CloseReason
    public let ticket: AdmissionTicket
    public let ownedSockets: [SocketID]
    public let rangePort: Int?
    public let handler: any SessionHandler
}
