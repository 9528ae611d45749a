import Synchronization

/// Session counts of one process, checked and updated under one lock so concurrent requests cannot
/// overshoot a cap. Reservations are held by session id, so a release counts once.
public final class LocalAdmission: AdmissionStore {
    private struct Counts {
        var held: [SessionID: AdmissionTicket] = [:]
        var total: Int { self.held.count }
        var rooms: [String: Int] = [:]
        var users: [String: Int] = [:]
    }

    public let limits: AdmissionLimits
    private let counts = Mutex(Counts())

    public init(limits: AdmissionLimits) {
        self.limits = limits
    }

    public func reserve(_ ticket: AdmissionTicket) async -> AdmissionRefusal? {
        self.counts.withLock { counts in
            // Asked again for a session it holds (a retry): it has its slot.
            if counts.held[ticket.session] != nil { return nil }
            if counts.total >= self.limits.maxSessionsTotal { return .capacity }
            if counts.rooms[ticket.room, default: 0] >= self.limits.maxSessionsPerRoom { return .roomFull }
            if let user = ticket.user, counts.users[user, default: 0] >= self.limits.maxSessionsPerUser {
                return .userLimit
            }
            counts.held[ticket.session] = ticket
            counts.rooms[ticket.room, default: 0] += 1
            if let user = ticket.user { counts.users[user, default: 0] += 1 }
            return nil
        }
    }

    public func release(_ ticket: AdmissionTicket) async {
        self.counts.withLock { counts in
            guard let held = counts.held.removeValue(forKey: ticket.session) else { return }
            Self.decrement(&counts.rooms, held.room)
            if let user = held.user { Self.decrement(&counts.users, user) }
        }
    }

    /// Sessions held: for tests and the leak check.
    public var total: Int { self.counts.withLock { $0.total } }

    /// True while `session` holds a slot reserved by `node`.
    public func holds(_ session: SessionID, node: String) -> Bool {
        self.counts.withLock { $0.held[session]?.node == node }
    }

    private static func decrement(_ map: inout [String: Int], _ key: String) {
        let value = map[key, default: 0] - 1
        map[key] = value > 0 ? value : nil
    }
}
