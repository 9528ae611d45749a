/// One `a=ssrc` line (RFC 5576, section 4.1): `<ssrc> <attribute>[:<value>]`, e.g. `1227153705 cname:tcfY`.
public struct SSRCAttribute: Hashable, Sendable {
    public var ssrc: UInt32
    public var name: String
    public var value: String?

    public init(ssrc: UInt32, name: String, value: String? = nil) {
        self.ssrc = ssrc
        self.name = name
        self.value = value
    }

    /// Parses the value after `a=ssrc:`; nil if the SSRC is not a 32-bit number or the attribute is missing.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let ssrc = UInt32(parts[0]) else {
            return nil
        }
        let attribute = parts[1]
        if let colon = attribute.firstIndex(of: ":") {
            let name = attribute[..<colon]
            guard !name.isEmpty else {
                return nil
            }
            self.init(ssrc: ssrc, name: String(name), value: String(attribute[attribute.index(after: colon)...]))
        } else {
            self.init(ssrc: ssrc, name: String(attribute))
        }
    }
}
