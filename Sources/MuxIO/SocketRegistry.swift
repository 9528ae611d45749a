import MuxICE
import MuxWire
import NIOCore
import Synchronization

/// A socket the mux has bound.
struct BoundSocket: Sendable {
    let id: SocketID
    let channel: any Channel
    let local: TransportAddress
    let counters: SocketCounters
}

/// Every bound socket by `SocketID`, for the send path and for closing range sockets.
final class SocketRegistry: Sendable {
    private let sockets = Mutex<[SocketID: BoundSocket]>([:])
    private let nextID = Atomic<Int>(1)

    func makeID() -> SocketID {
        SocketID(self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    func register(_ socket: BoundSocket) {
        self.sockets.withLock { $0[socket.id] = socket }
    }

    @discardableResult
    func remove(_ id: SocketID) -> BoundSocket? {
        self.sockets.withLock { $0.removeValue(forKey: id) }
    }

    func socket(_ id: SocketID) -> BoundSocket? {
        self.sockets.withLock { $0[id] }
    }

    var all: [BoundSocket] {
        self.sockets.withLock { Array($0.values) }
    }
}
