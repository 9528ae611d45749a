/// DTLS and SRTP limits of every session; defaults match docs/configuration.md.
public struct MediaSettings: Sendable {
    /// Largest DTLS datagram mediamux sends.
    public var mtu = 1200
    /// A handshake that has not finished this long after ICE found a path closes the session (`dtls_failed`).
    public var handshakeTimeout: Duration = .seconds(10)
    /// The DTLS association is kept at least this long after the handshake, whatever SRTP arrives first:
    /// long enough for a peer whose copy of our last flight was lost to retransmit its own (its first
    /// retransmission timeout is 1 s) and still get an answer.
    public var releaseDelay: Duration = .seconds(2)

    public init() {}
}
