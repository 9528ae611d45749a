/// The end of the DTLS handshake mediamux plays after its answer, which the DTLS layer must be told.
public enum DTLSRole: Hashable, Sendable {
    /// The answer says `a=setup:passive`: the peer sends the ClientHello.
    case server
    /// The answer says `a=setup:active`: mediamux sends the ClientHello.
    case client

    /// RFC 5763, section 5: an offer of `actpass` is answered `passive` (the common case, and the cheaper one for a
    /// server: it needs no retransmission timer before the peer speaks); `active` must be answered `passive` and
    /// `passive` must be answered `active`. An offer without `a=setup` is treated as `actpass`; RFC 4145 would
    /// call it `active`, which leads to the same answer.
    public init(answering offered: SetupRole?) throws(SDPError) {
        switch offered {
        case nil, .actpass, .active: self = .server
        case .passive: self = .client
        case .holdconn: throw SDPError.unsupportedSetup(SetupRole.holdconn.rawValue)
        }
    }

    /// The `a=setup` value the answer carries.
    public var setup: SetupRole {
        switch self {
        case .server: .passive
        case .client: .active
        }
    }
}
