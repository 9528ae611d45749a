import MuxICE
import MuxWire
import NIOCore

/// What a session does with its media: the seam for echo, RTP bridges, room relays and a library user's own.
///
/// The I/O layer calls `handleDatagram` for every non-STUN datagram that arrives on an authenticated
/// 5-tuple of the session, on the I/O thread that read it: keep it short and never block. Several I/O
/// threads may call one handler concurrently when a session has tuples on several sockets.
/// `handleClose` is called exactly once, after the session left every table.
public protocol SessionHandler: AnyObject, Sendable {
    func handleDatagram(_ datagram: ByteBuffer, class packetClass: PacketClass, from tuple: FiveTuple)
    func handleClose(reason: CloseReason)
}

/// Sends datagrams to a session's peer on its selected 5-tuple, through the socket that tuple belongs to.
public protocol DatagramSender: AnyObject, Sendable {
    /// Returns false, counting nothing, when the session has no selected tuple yet.
    @discardableResult
    func send(_ datagram: ByteBuffer) -> Bool
}

/// What a handler knows about its session when it is made.
public struct SessionContext: Sendable {
    public let id: SessionID
    public let room: String
    public let user: String?
    public let sender: any DatagramSender

    public init(id: SessionID, room: String, user: String?, sender: any DatagramSender) {
        self.id = id
        self.room = room
        self.user = user
        self.sender = sender
    }
}

/// Makes the handler of a new session; registered by name, chosen per session through the API.
public typealias SessionHandlerFactory = @Sendable (SessionContext) -> any SessionHandler
