import MuxICE
import MuxWire
import NIOCore

/// What a session does with its media: the seam for echo, RTP bridges, room relays and a library user's own.
///
/// The I/O layer calls `handleDatagram` for every non-STUN datagram that arrives on an authenticated
/// 5-tuple of the session, with the time it was read, on the I/O thread that read it: keep it short and
/// never block. Several I/O threads may call one handler concurrently when a session has tuples on
/// several sockets.
/// `handleClose` is called exactly once, after the session left every table.
public protocol SessionHandler: AnyObject, Sendable {
    func handleDatagram(
        _ datagram: ByteBuffer, class packetClass: PacketClass, from tuple: FiveTuple, now: ContinuousClock.Instant
    )
    func handleClose(reason: CloseReason)
    /// Called on every timer tick of the mux (every `tick`, 250 ms by default) for handlers with timers
    /// of their own, such as DTLS retransmission. Must be cheap when there is nothing to do.
    func handleTick(now: ContinuousClock.Instant)
    /// False while the session cannot carry media yet (e.g. DTLS keys not in place); the API then shows
    /// an ICE-connected session as `checking`. Read under the router's lock: never take a lock here.
    var isReady: Bool { get }
}

extension SessionHandler {
    public func handleTick(now: ContinuousClock.Instant) {}
    public var isReady: Bool { true }
}

/// Sends datagrams to a session's peer on its selected 5-tuple, through the socket that tuple belongs to.
public protocol DatagramSender: AnyObject, Sendable {
    /// Returns false, counting nothing, when the session has no selected tuple yet.
    @discardableResult
    func send(_ datagram: ByteBuffer) -> Bool
    /// Closes the session from inside, e.g. when DTLS fails; the handler then gets `handleClose`.
    func closeSession(reason: CloseReason)
    /// True once ICE selected a path to the peer.
    var hasPath: Bool { get }
}

/// What a handler knows about its session when it is made.
public struct SessionContext: Sendable {
    public let id: SessionID
    public let room: String
    public let user: String?
    public let sender: any DatagramSender
    /// What signaling said about the peer's DTLS, for handlers that terminate it.
    public let dtls: DTLSParameters
    /// A plain UDP port opened for this session (the `rtp` bridge), owned by its handler.
    public let plainPort: (any PlainPort)?

    public init(
        id: SessionID, room: String, user: String?, sender: any DatagramSender, dtls: DTLSParameters = .init(),
        plainPort: (any PlainPort)? = nil
    ) {
        self.id = id
        self.room = room
        self.user = user
        self.sender = sender
        self.dtls = dtls
        self.plainPort = plainPort
    }
}

/// An unencrypted UDP port of one session, bridging to an RTP tool (GStreamer, ffmpeg): what the handler
/// sends goes to the sink; what the tool sends to `local` reaches the receiver. The handler closes it.
public protocol PlainPort: AnyObject, Sendable {
    /// Where the tool sends plain RTP and RTCP.
    var local: TransportAddress { get }
    var sink: TransportAddress { get }
    func send(_ packet: ByteBuffer)
    /// Datagrams from the sink's IP address; others are dropped.
    func onReceive(_ receive: @escaping @Sendable (ByteBuffer) -> Void)
    func close()
}

/// The DTLS side of signaling: which role mediamux takes and the certificate fingerprint the peer
/// announced (SHA-256 bytes). Without a fingerprint any certificate is accepted.
public struct DTLSParameters: Sendable, Equatable {
    /// True for `a=setup:passive` (mediamux waits for the ClientHello): the answer to `actpass` and `active`.
    public var isServer: Bool
    public var remoteFingerprint: [UInt8]?

    public init(isServer: Bool = true, remoteFingerprint: [UInt8]? = nil) {
        self.isServer = isServer
        self.remoteFingerprint = remoteFingerprint
    }
}

/// Makes the handler of a new session; registered by name, chosen per session through the API.
public typealias SessionHandlerFactory = @Sendable (SessionContext) -> any SessionHandler
