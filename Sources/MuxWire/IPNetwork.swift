/// A CIDR block such as `10.0.0.0/8` or `2001:db8::/32`, used for trusted ranges.
public struct IPNetwork: Hashable, Sendable {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `address/prefix`; a bare address is a single-host network.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(parts[0]) else { return nil }
        let maxLength = address.isIPv4 ? 32 : 128
        var length = maxLength
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maxLength).contains(parsed) else { return nil }
            length = parsed
        }
        self.address = address
        self.prefixLength = length
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        switch (self.address, candidate) {
        case (.v4(let network), .v4(let value)):
            let mask: UInt32 = self.prefixLength == 0 ? 0 : ~UInt32(0) << (32 - self.prefixLength)
            return network & mask == value & mask
        case (.v6(let networkHigh, let networkLow), .v6(let high, let low)):
            let highBits = min(self.prefixLength, 64)
            let lowBits = max(self.prefixLength - 64, 0)
            let highMask: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << (64 - highBits)
            let lowMask: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << (64 - lowBits)
            return networkHigh & highMask == high & highMask && networkLow & lowMask == low & lowMask
        default:
            return false
        }
    }
}

extension IPNetwork: CustomStringConvertible {
    public var description: String { "\(self.address)/\(self.prefixLength)" }
}

extension IPAddress {
    /// What one host usually holds: an IPv4 address, or an IPv6 /64. Per-source limits count by it.
    public var hostPrefix: IPAddress {
        if case .v6(let high, _) = self { return .v6(high, 0) }
        return self
    }
}
