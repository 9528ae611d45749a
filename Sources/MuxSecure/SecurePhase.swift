/// Where a DTLS-SRTP session is in its life: the one piece of state `SecureSession`'s decisions read. The
/// association and the keys are resources it holds beside this, not flags.
public enum SecurePhase: Sendable, Equatable {
    /// Made; ICE has found no path and no ClientHello came.
    case awaitingPath
    /// The handshake runs until `deadline`; OpenSSL retransmits on the timeouts asked for before it.
    case handshaking(deadline: ContinuousClock.Instant)
    /// SRTP keys in place; what happens to the DTLS association is `association`.
    case connected(Association)
    /// The session failed or the peer closed it (an event said so); it waits for `close`.
    case closing
    /// `close` came: nothing is left.
    case closed

    /// The DTLS association of a connected session: kept `until` an instant whatever SRTP arrives, then
    /// released at the first timeout after the first SRTP or SRTCP packet that authenticates (`releaseDue`).
    public enum Association: Sendable, Equatable {
        case kept(until: ContinuousClock.Instant)
        case releaseDue(since: ContinuousClock.Instant)
        case released
    }
}
