import MuxCrypto

/// What happened to a `SecureSession`, for its owner to act on: count it, log it, tell the media handler,
/// or close the session.
public enum SecureSessionEvent: Sendable, Equatable {
    /// The handshake began: ICE found a path, or a ClientHello came first.
    case handshakeStarted
    /// The peer's certificate matched and SRTP keys are in place: media can flow both ways.
    case connected(SRTPProfile)
    /// The DTLS association was freed; the SRTP contexts and a sealed close_notify stay.
    case released
    /// The session cannot go on; its owner closes it (`dtls_failed`).
    case failed(SecureSessionFailure, detail: String)
    /// The peer sent close_notify; its owner closes the session (`peer_closed`).
    case peerClosed
}

/// Why a handshake or the association failed: the `result` label of the handshake counter.
public enum SecureSessionFailure: Sendable, Equatable {
    /// No handshake within `MediaSettings.handshakeTimeout` of its start.
    case timeout
    /// The peer's certificate is not the one whose fingerprint it signaled.
    case fingerprint
    /// OpenSSL refused the handshake, or no SRTP profile was negotiated.
    case handshake
    /// A fatal alert or error after the keys were in place: the record layer's, not the handshake's.
    case association
}

/// What one received datagram came to.
public enum SecureReceipt: Sendable, Equatable {
    /// Decrypted in place: the first `length` bytes of the datagram are the plaintext RTP or RTCP.
    /// `confirmsConsent` is true at most once per consent confirmation interval: tell ICE, which refreshes
    /// consent on the selected tuple (RFC 7675 allows authenticated media to).
    case media(length: Int, confirmsConsent: Bool)
    /// A DTLS datagram the association took: drain the transmits and events.
    case handshake
    /// Dropped; count it.
    case dropped(SecureDrop)
    /// Ignored: the session is closing, or the class carries nothing for it (STUN, unknown).
    case ignored
}

/// Why a datagram delivered to the session was dropped.
public enum SecureDrop: Sendable, Equatable {
    /// RTP or RTCP before the handshake produced keys.
    case notReady
    /// SRTP or SRTCP that did not authenticate, was replayed, or is malformed.
    case srtp(SRTPFailure)
    /// A DTLS datagram after the handshake with no record that authenticated: its source may be forged.
    case dtlsUnauthenticated
    /// A DTLS record after the association was released.
    case dtlsAfterRelease
}
