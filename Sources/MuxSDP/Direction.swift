/// The media direction attribute of an m-section (RFC 8866, section 6.7), seen from the side that wrote it.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    public var sends: Bool {
        self == .sendrecv || self == .sendonly
    }

    public var receives: Bool {
        self == .sendrecv || self == .recvonly
    }

    /// The same stream seen from the other end: what one side sends, the other receives.
    public var reversed: Direction {
        Direction(sends: self.receives, receives: self.sends)
    }

    /// Only what both directions allow.
    public func intersection(_ other: Direction) -> Direction {
        Direction(sends: self.sends && other.sends, receives: self.receives && other.receives)
    }

    /// The direction to answer this offered direction with, for a handler that is willing to do `local`.
    ///
    /// RFC 3264, section 6.1: a sendonly stream must be answered recvonly (or inactive), a recvonly stream sendonly
    /// (or inactive), an inactive stream inactive. Reversing the offer gives the most the answer may say; limiting it
    /// to `local` lets a handler that only receives (an RTP bridge) answer a sendrecv offer with recvonly, while echo
    /// and room handlers pass `.sendrecv` and so mirror the offer.
    public func answered(willing local: Direction) -> Direction {
        self.reversed.intersection(local)
    }
}
