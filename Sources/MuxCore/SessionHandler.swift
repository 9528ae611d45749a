import MuxICE
import MuxWire

/// What a session does with its media: the seam for echo, RTP bridges, room relays and a library user's own.
///
/// The I/O layer calls `handleDatagram` for every non-STUN datagram that arrives on an authenticated
/// 5-tuple of the session, with the time it was read, on the I/O thread that read it: keep it short and
/// never block. Several I/O threads may call one handler concurrently when a session has tuples on
/// several sockets, or the kernel moves its packets to another socket of the port.
///
/// `datagram` is the I/O thread's receive buffer: it is valid only during the call, and the handler may
/// rewrite it in place (SRTP decrypts there), so nothing is copied or allocated per packet. Copy what you keep.
/// `handleClose` is called exactly once, after the session left every table.
public protocol SessionHandler: AnyObject, Sendable {
    func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    )
    func handleClose(reason: CloseReason)
    /// Timers of the handler's own, such as DTLS retransmission: called, off the packet threads, once the
    /// instant asked for with `DatagramSender.scheduleTick(at:)` has come (the timer runs every `tick` at the
    /// latest, 250 ms by default), and once after the session's selected path changed. Nothing ticks a
    /// handler that did not ask, so idle sessions cost the timer nothing.
    func handleTick(now: ContinuousClock.Instant)
    /// False while the session cannot carry media yet (e.g. DTLS keys not in place); the API then shows
    /// an ICE-connected session as `checking`. Read under the router's lock: never take a lock here.
    var isReady: Bool { get }
}

extension SessionHandler {
    public func handleTick(now: ContinuousClock.Instant) {}
    public var isReady: Bool { true }
}

/// Sends datagrams to a session's peer on its selected 5-tuple, from the local address that tuple belongs to.
///
/// On an I/O thread the datagram joins that thread's send batch, which leaves in one `sendmmsg` after the
/// read batch; elsewhere (timers, the API) it is sent at once.
public protocol DatagramSender: AnyObject, Sendable {
    /// Lets `write` fill the outgoing datagram in place, up to `capacity` bytes, and send the length it
    /// returns (nil sends nothing). The buffer is valid only during the call. Returns false, counting
    /// nothing, when the session has no selected tuple yet or `write` returned nil.
    @discardableResult
    func send(capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?) -> Bool
    /// Closes the session from inside, e.g. when DTLS fails; the handler then gets `handleClose`.
    func closeSession(reason: CloseReason)
    /// Asks for a `handleTick` at `instant`; of several requests the earliest wins, and a tick answers them all.
    func scheduleTick(at instant: ContinuousClock.Instant)
    /// Sends one last datagram (DTLS close_notify) to the last selected tuple, from `handleClose`, when the
    /// session has already left the router's tables. False when it never had a path.
    @discardableResult
    func sendFarewell(_ datagram: UnsafeRawBufferPointer) -> Bool
    /// True once ICE selected a path to the peer.
    var hasPath: Bool { get }
    /// Media that authenticated with the session's keys arrived on `tuple`: on the selected tuple it
    /// refreshes consent as a connectivity check does (docs/api.md, "What keeps a session alive").
    func confirmConsent(on tuple: FiveTuple, now: ContinuousClock.Instant)
}

extension DatagramSender {
    /// Sends a copy of `datagram`.
    @discardableResult
    public func send(_ datagram: UnsafeRawBufferPointer) -> Bool {
        self.send(capacity: datagram.count) { buffer in
            buffer.copyMemory(from: datagram)
            return datagram.count
        }
    }

    @discardableResult
    public func send(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { self.send($0) }
    }
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
    /// How often a handler that authenticates media should pass that on (`DatagramSender.confirmConsent`):
    /// often enough to keep consent alive, rarely enough not to take the router's lock per packet.
    public let consentConfirmationInterval: Duration

    public init(
        id: SessionID, room: String, user: String?, sender: any DatagramSender, dtls: DTLSParameters = .init(),
        plainPort: (any PlainPort)? = nil, consentConfirmationInterval: Duration = .seconds(1)
    ) {
        self.consentConfirmationInterval = consentConfirmationInterval
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
    /// Sends a copy of `packet` to the sink; false when the kernel refused it.
    @discardableResult
    func send(_ packet: UnsafeRawBufferPointer) -> Bool
    /// Datagrams from the sink's IP address (others are dropped and counted), on the packet thread that reads
    /// the port; the bytes are valid during the call only.
    func onReceive(_ receive: @escaping @Sendable (UnsafeRawBufferPointer) -> Void)
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
