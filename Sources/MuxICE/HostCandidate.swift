import MuxWire

/// A host candidate as SDP writes it (RFC 8839, section 5.1), without the `a=` prefix:
/// `candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host`, or for ICE-TCP (RFC 6544, section 4.5)
/// `candidate:3 1 tcp 2124414975 192.0.2.10 7882 typ host tcptype passive`.
public struct HostCandidate: Sendable, Equatable {
    public enum Transport: String, Sendable {
        case udp
        /// A passive ICE-TCP candidate: the peer connects to it.
        case tcp
    }

    public var foundation: String
    public var address: TransportAddress
    /// 0...65535; higher is preferred. Single-port candidates rank above range fallbacks, and every UDP
    /// candidate above every TCP one (`tcpLocalPreference`).
    public var localPreference: UInt32
    public var transport: Transport

    public init(foundation: String, address: TransportAddress, localPreference: UInt32, transport: Transport = .udp) {
        self.foundation = foundation
        self.address = address
        self.localPreference = localPreference
        self.transport = transport
    }

    /// RFC 6544, section 4.2: a TCP candidate's local preference is 2^13 times its direction preference
    /// (passive host: 4) plus an order among its kind (0...8191), which keeps it below a UDP candidate's.
    public static func tcpLocalPreference(order: Int) -> UInt32 {
        (4 << 13) + UInt32(clamping: max(0, 8191 - order))
    }

    /// RFC 8445, section 5.1.2.1: type preference 126 for host, component 1 (RTP, rtcp-mux).
    public var priority: UInt32 {
        (126 << 24) | (min(self.localPreference, 65535) << 8) | (256 - 1)
    }

    public var sdpValue: String {
        let base =
            "candidate:\(self.foundation) 1 \(self.transport.rawValue) \(self.priority) \(self.address.ip) \(self.address.port) typ host"
        return self.transport == .tcp ? base + " tcptype passive" : base
    }
}
