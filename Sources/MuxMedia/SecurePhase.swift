/// Where a DTLS-SRTP session is in its life: the one piece of state `SecureMediaHandler`'s decisions read.
/// The association and the keys are resources it holds beside this, not flags.
enum SecurePhase: Equatable {
    /// Made; ICE has found no path and no ClientHello came.
    case awaitingPath
    /// The handshake runs until `deadline`; OpenSSL retransmits on the ticks asked for before it.
    case handshaking(deadline: ContinuousClock.Instant)
    /// SRTP keys in place; what happens to the DTLS association is `association`.
    case connected(Association)
    /// The handler asked the router to close the session and waits for `handleClose`.
    case closing
    /// `handleClose` came: nothing is left.
    case closed

    /// The DTLS association of a connected session: kept `until` an instant whatever SRTP arrives, then
    /// released on the tick after the first SRTP or SRTCP packet that authenticates (`releaseDue`).
    enum Association: Equatable {
        case kept(until: ContinuousClock.Instant)
        case releaseDue
        case released
    }
}
