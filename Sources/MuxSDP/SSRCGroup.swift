/// One `a=ssrc-group` line (RFC 5576, section 4.2): `<semantics> <ssrc>...`, e.g. `FID 3746892314 822236710`
/// pairs a video SSRC with its retransmission (RFC 4588) SSRC.
public struct SSRCGroup: Hashable, Sendable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    /// Parses the value after `a=ssrc-group:`; nil unless it has semantics and at least one 32-bit SSRC.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2 else {
            return nil
        }
        var ssrcs: [UInt32] = []
        for part in parts.dropFirst() {
            guard let ssrc = UInt32(part) else {
                return nil
            }
            ssrcs.append(ssrc)
        }
        self.init(semantics: String(parts[0]), ssrcs: ssrcs)
    }
}
