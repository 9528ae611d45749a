/// The hash functions named in RFC 8122, section 5, that mediamux knows the digest length of.
public enum FingerprintAlgorithm: String, Hashable, Sendable, CaseIterable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The functions a peer's certificate is checked with. RFC 8827, section 6.5 makes SHA-256 mandatory, so
    /// every browser and library offers it; the DTLS engine compares SHA-256 digests only.
    public static let verifiable: [FingerprintAlgorithm] = [.sha256]
}
