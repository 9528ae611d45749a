/// A certificate fingerprint as `a=fingerprint` carries it (RFC 8122, section 5): `sha-256 AB:CD:...:EF`.
///
/// The offer's fingerprint is what the DTLS layer checks the peer's certificate against; the answer's is the
/// digest of mediamux's own certificate. This module computes no hashes (it has no dependencies), so callers
/// hash the DER certificate themselves and use `matches(digest:)` and `Fingerprint.sha256(_:)`.
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The hash function token, lowercased (`sha-256`). Text rather than `FingerprintAlgorithm` so that an offer
    /// with an unknown function still parses and the error can name the function.
    public let algorithmName: String
    public let digest: [UInt8]

    public init(algorithmName: String, digest: [UInt8]) {
        self.algorithmName = algorithmName.lowercased()
        self.digest = digest
    }

    public init(algorithm: FingerprintAlgorithm, digest: [UInt8]) {
        self.init(algorithmName: algorithm.rawValue, digest: digest)
    }

    /// The fingerprint of a certificate whose SHA-256 digest (32 bytes) is `digest`.
    public static func sha256(_ digest: some Sequence<UInt8>) -> Fingerprint {
        Fingerprint(algorithm: .sha256, digest: Array(digest))
    }

    /// Parses the value of an `a=fingerprint` line, `<hash-func> <hex>:<hex>...`. Returns nil if the hex is not
    /// pairs of digits separated by colons, or if its length does not fit a known hash function.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let digest = Self.bytes(hex: parts[1]) else {
            return nil
        }
        self.init(algorithmName: String(parts[0]), digest: digest)
        if let algorithm = self.algorithm, algorithm.digestLength != digest.count {
            return nil
        }
    }

    /// Nil for hash functions outside RFC 8122's SHA family (md5, md2, or a name mediamux does not know).
    public var algorithm: FingerprintAlgorithm? {
        FingerprintAlgorithm(rawValue: self.algorithmName)
    }

    /// Whether mediamux can check a certificate against this fingerprint.
    public var isVerifiable: Bool {
        guard let algorithm = self.algorithm else {
            return false
        }
        return FingerprintAlgorithm.verifiable.contains(algorithm)
    }

    /// `AB:CD:...:EF`, the form RFC 8122 writes (uppercase, which RFC 4572 asked for and every browser emits).
    public var hex: String {
        Self.hex(self.digest)
    }

    /// The value of an `a=fingerprint` line: `sha-256 AB:CD:...:EF`.
    public var sdpValue: String {
        "\(self.algorithmName) \(self.hex)"
    }

    public var description: String {
        self.sdpValue
    }

    /// Whether a certificate digest computed with this fingerprint's hash function equals it.
    ///
    /// A plain comparison: the fingerprint is public (it travels in the SDP), so timing reveals nothing secret.
    public func matches(digest other: some Collection<UInt8>) -> Bool {
        self.digest.count == other.count && self.digest.elementsEqual(other)
    }

    /// Uppercase hex pairs joined by colons: `[0xAB, 0x01]` becomes `AB:01`.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF")
        var text = ""
        for (index, byte) in digest.enumerated() {
            if index > 0 {
                text.append(":")
            }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// The bytes of `AB:cd:01`, case-insensitive; nil unless every part is exactly two hex digits.
    public static func bytes(hex text: some StringProtocol) -> [UInt8]? {
        var bytes: [UInt8] = []
        for part in text.split(separator: ":", omittingEmptySubsequences: false) {
            // The digit check also refuses the sign that UInt8(_:radix:) would accept.
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let byte = UInt8(part, radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}
