/// An IP address and UDP port: one end of a 5-tuple, and the value of XOR-MAPPED-ADDRESS.
public struct TransportAddress: Hashable, Sendable {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses `1.2.3.4:5000` or `[::1]:5000`.
    public init?(_ text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":"),
            let port = UInt16(text[text.index(after: colon)...])
        else { return nil }
        let host = text[..<colon]
        if host.contains(":") && !(host.hasPrefix("[") && host.hasSuffix("]")) {
            return nil  // IPv6 needs brackets, or the port is ambiguous
        }
        guard let ip = IPAddress(host) else { return nil }
        self.init(ip: ip, port: port)
    }
}

extension TransportAddress: CustomStringConvertible {
    public var description: String {
        self.ip.isIPv4 ? "\(self.ip):\(self.port)" : "[\(self.ip)]:\(self.port)"
    }
}
