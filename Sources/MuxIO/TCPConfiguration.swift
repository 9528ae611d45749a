import MuxWire

/// ICE-TCP (RFC 6544): a passive listener on every bind address, for clients whose network blocks UDP.
/// Defaults match docs/configuration.md.
public struct TCPConfiguration: Sendable {
    public var enabled = true
    /// The listening port; nil takes the UDP single port's number (`udp.port`), so one number serves both.
    public var port: Int?
    /// A new connection must authenticate a STUN check within this, or it is closed.
    public var firstCheckTimeout: Duration = .seconds(5)
    /// Connections open at once, authenticated or not.
    public var maxConnections = 10_000
    /// Connections at once from one IP address; 0 turns the limit off (the default: clients behind load
    /// balancers, carrier NAT and proxies share an address).
    public var maxConnectionsPerIP = 0
    /// Connections still waiting for their first check, across packet threads. When full, the oldest waiting
    /// one is closed to make room, so idle sockets cannot keep a real client out.
    public var maxPendingConnections = 1_000
    /// Sources exempt from `maxConnectionsPerIP` (`rate_limit.trusted_cidrs`).
    public var trusted: [IPNetwork] = []

    public init() {}

    /// Frames larger than this close their connection: WebRTC datagrams stay under the path MTU, so anything
    /// bigger is not ICE, DTLS or SRTP (RFC 4571 itself allows 65,535).
    static let maxFrameBytes = 2048
}
