/// A SHA-256 certificate fingerprint, as SDP's `a=fingerprint:sha-256` writes it: `AB:CD:…` (RFC 8122).
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses `AB:CD:…` (either case); nil unless it is 32 bytes.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: ":")
        let bytes = parts.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        guard parts.count == 32, bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public var sdpValue: String {
        self.bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    public var description: String { self.sdpValue }
}
