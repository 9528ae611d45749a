import Synchronization

/// Session counts of one process, checked and updated under one lock so concurrent requests cannot
/// overshoot a cap.
public final class LocalAdmission: AdmissionStore {
    private struct Counts {
        var total = 0
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
            if counts.total >= self.limits.maxSessionsTotal { return .capacity }
            if counts.rooms[ticket.room, default: 0] >= self.limits.maxSessionsPerRoom { return .roomFull }
            if let user = ticket.user, counts.users[user, default: 0] >= self.limits.maxSessionsPerUser {
                return .userLimit
            }
            counts.total += 1
            counts.rooms[ticket.room, default: 0] += 1
            if let user = ticket.user { counts.users[user, default: 0] += 1 }
            return nil
        }
    }

    public func release(_ ticket: AdmissionTicket) async {
        self.counts.withLock { counts in
            counts.total -= 1
            Self.decrement(&counts.rooms, ticket.room)
            if let user = ticket.user { Self.decrement(&counts.users, user) }
        }
    }

    /// Sessions held: for tests and the leak check.
    public var total: Int { self.counts.withLock { $0.total } }

    private static func decrement(_ map: inout [String: Int], _ key: String) {
        let value = map[key, default: 0] - 1
        map[key] = value > 0 ? value : nil
    }
}
