import MuxCore
import Synchronization

/// Sessions that left the router on a thread that cannot wait (the timer thread, a handler on a packet
/// thread), waiting for the session manager's task to release them.
final class ClosedSessionQueue: Sendable {
    private let sessions = Mutex<[ClosedSession]>([])

    func append(_ closed: [ClosedSession]) {
        self.sessions.withLock { $0.append(contentsOf: closed) }
    }

    func takeAll() -> [ClosedSession] {
        self.sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return sessions
        }
    }
}
