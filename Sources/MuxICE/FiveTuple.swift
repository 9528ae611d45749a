import MuxWire

/// Which local socket a datagram arrived on. The I/O layer numbers its sockets; the cores only compare them.
/// A socket stands for one local address, port and transport; an ICE-TCP connection is a socket of its own
/// (`isStream`), whose datagrams travel as RFC 4571 frames.
public struct SocketID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public let isStream: Bool

    public init(_ rawValue: Int, isStream: Bool = false) {
        self.rawValue = rawValue
        self.isStream = isStream
    }

    public var description: String { "\(self.isStream ? "tcp" : "socket")#\(self.rawValue)" }
}

/// A local socket and a remote address: the 5-tuple of an ICE candidate pair on UDP.
public struct FiveTuple: Hashable, Sendable, CustomStringConvertible {
    public var socket: SocketID
    public var remote: TransportAddress

    public init(socket: SocketID, remote: TransportAddress) {
        self.socket = socket
        self.remote = remote
    }

    public var description: String { "\(self.remote) via \(self.socket)" }
}
