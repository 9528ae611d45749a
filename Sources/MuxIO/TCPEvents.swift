/// Why mediamux turned a TCP connection away at accept: the `reason` of `mediamux_tcp_refused_total`.
public enum TCPRefusal: String, Sendable, CaseIterable {
    /// `tcp.max_connections` were open.
    case maxConnections = "max_connections"
    /// `tcp.max_connections_per_ip` were open from the source's address, which is not trusted.
    case maxConnectionsPerIP = "max_connections_per_ip"
    /// The process ran out of file descriptors (EMFILE, ENFILE); accepting pauses for a moment.
    case noDescriptors = "no_descriptors"
}

/// Why a TCP connection ended: the `reason` of `mediamux_tcp_closed_total`.
public enum TCPCloseReason: String, Sendable, CaseIterable {
    /// The peer closed its side (FIN).
    case peerClosed = "peer_closed"
    /// The peer reset the connection, or a read failed.
    case reset
    /// The first frame was not a STUN Binding request.
    case firstFrameNotCheck = "first_frame_not_check"
    /// The first check did not authenticate against a live session (or was rate-limited).
    case checkRefused = "check_refused"
    /// No first frame within `tcp.first_check_timeout`.
    case firstCheckTimeout = "first_check_timeout"
    /// Waiting for its first check when `tcp.max_pending_connections` was reached: the oldest gives way.
    case evicted
    /// A frame longer than 2,048 bytes, or of length zero: not ICE, DTLS or SRTP.
    case badFrame = "bad_frame"
    /// Its tuple no longer leads to a session: the session closed, or consent on the tuple ran out.
    case unbound
    /// Writing to the peer failed (other than a full buffer).
    case sendFailed = "send_failed"
    /// mediamux is shutting down.
    case shutdown
}
