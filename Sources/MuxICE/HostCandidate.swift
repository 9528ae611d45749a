import MuxWire

/// A host candidate as SDP writes it (RFC 8839, section 5.1), without the `a=` prefix:
/// `candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host`.
public struct HostCandidate: Sendable, Equatable {
    public var foundation: String
    public var address: TransportAddress
    /// 0...65535; higher is preferred. Single-port candidates rank above range fallbacks.
    public var localPreference: UInt32

    public init(foundation: String, address: TransportAddress, localPreference: UInt32) {
        self.foundation = foundation
        self.address = address
        self.localPreference = localPreference
    }

    /// RFC 8445, section 5.1.2.1: type preference 126 for host, component 1 (RTP, rtcp-mux).
    public var priority: UInt32 {
        (126 << 24) | (min(self.localPreference, 65535) << 8) | (256 - 1)
    }

    public var sdpValue: String {
        "candidate:\(self.foundation) 1 udp \(self.priority) \(self.address.ip) \(self.address.port) typ host"
    }
}
