import MuxICE
import MuxWire
import Synchronization

/// A local address and port the mux serves: one socket per I/O thread on the single port (SO_REUSEPORT),
/// or one socket for a range port. Tuples name the endpoint, not a socket, so a peer is recognised
/// whichever of the port's sockets the kernel hands its packets to (its NAT port may change and hash
/// elsewhere), and a reply from any of them leaves from the address the peer sent to.
struct Endpoint: Sendable {
    let id: SocketID
    let local: TransportAddress
    let counters: SocketCounters
    let sockets: [UDPSocket]
    /// The I/O thread serving each socket, in the same order.
    let threads: [Int]

    /// The socket to send from on I/O thread `thread`: its own when it has one.
    func socket(forThread thread: Int) -> UDPSocket {
        self.sockets[thread % self.sockets.count]
    }
}

/// Every endpoint and ICE-TCP connection by `SocketID`, for the send path, the API's tuple display and
/// closing range ports.
final class SocketRegistry: Sendable {
    private let endpoints = Mutex<[SocketID: Endpoint]>([:])
    private let connections = Mutex<[SocketID: TCPConnection]>([:])
    private let nextID = Atomic<Int>(1)

    func makeID(isStream: Bool = false) -> SocketID {
        SocketID(self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue, isStream: isStream)
    }

    func register(_ endpoint: Endpoint) {
        self.endpoints.withLock { $0[endpoint.id] = endpoint }
    }

    @discardableResult
    func remove(_ id: SocketID) -> Endpoint? {
        self.endpoints.withLock { $0.removeValue(forKey: id) }
    }

    func endpoint(_ id: SocketID) -> Endpoint? {
        self.endpoints.withLock { $0[id] }
    }

    func register(_ connection: TCPConnection) {
        self.connections.withLock { $0[connection.id] = connection }
    }

    func remove(connection id: SocketID) {
        self.connections.withLock { $0[id] = nil }
    }

    func connection(_ id: SocketID) -> TCPConnection? {
        self.connections.withLock { $0[id] }
    }

    /// The local address of an endpoint or a connection.
    func local(of id: SocketID) -> TransportAddress? {
        id.isStream ? self.connection(id)?.local : self.endpoint(id)?.local
    }

    var all: [Endpoint] {
        self.endpoints.withLock { Array($0.values) }
    }
}
