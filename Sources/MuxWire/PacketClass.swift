/// What a datagram on a WebRTC 5-tuple carries, decided by its first byte as RFC 7983, section 7 prescribes:
///
///     first byte   class
///     0...3        STUN
///     16...19      ZRTP          -> unknown here
///     20...63      DTLS
///     64...79      TURN channel  -> unknown here
///     128...191    RTP or RTCP: RTCP when the second byte (marker bit + payload type) is 192...223 (RFC 5761)
///     anything else, or an empty datagram, or RTP/RTCP shorter than 2 bytes -> unknown
///
/// A pure function of the bytes, so it is tested over all 256 first bytes and fuzzed.
public enum PacketClass: UInt8, Sendable, CaseIterable {
    case stun
    case dtls
    case rtp
    case rtcp
    case unknown

    @inlinable
    public init(first: UInt8, second: UInt8?) {
        switch first {
        case 0...3:
            self = .stun
        case 20...63:
            self = .dtls
        case 128...191:
            guard let second else {
                self = .unknown
                return
            }
            self = (192...223).contains(second) ? .rtcp : .rtp
        default:
            self = .unknown
        }
    }

    @inlinable
    public init(datagram: UnsafeRawBufferPointer) {
        guard let first = datagram.first else {
            self = .unknown
            return
        }
        self.init(first: first, second: datagram.count > 1 ? datagram[1] : nil)
    }

    /// The value of the `class` label on packet counters.
    public var label: String {
        switch self {
        case .stun: "stun"
        case .dtls: "dtls"
        case .rtp: "rtp"
        case .rtcp: "rtcp"
        case .unknown: "unknown"
        }
    }
}

extension PacketClass {
    /// RTP or RTCP: what handlers carry, as opposed to the STUN and DTLS that set a session up.
    public var isMedia: Bool { self == .rtp || self == .rtcp }
}
