import MuxICE

/// A session's state as the API shows it.
public enum SessionState: String, Sendable, CaseIterable, Codable {
    case new
    case checking
    /// ICE selected a pair, but the handler is not ready for media: its DTLS handshake is still running.
    case handshaking
    case connected
    case closed

    /// The states ICE alone goes through, which `mediamux_sessions{state}` counts.
    static let iceStates: [SessionState] = [.new, .checking, .connected]

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
    /// ICE alone: `new`, `checking` or `connected` (or `closed`), whatever the handler's progress.
    public let iceState: SessionState
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
    public let pathObserver: (any PathObserver)?
}
