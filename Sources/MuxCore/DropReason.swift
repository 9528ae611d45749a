import MuxICE

/// Why a received datagram went no further; each case is a value of the `reason` label of
/// `mediamux_udp_dropped_total`. Dropping is not an error: it is counted, and the sender learns nothing
/// unless a STUN error response is due.
public enum DropReason: String, Sendable, CaseIterable {
    /// Looked like STUN by its first byte but did not parse.
    case malformed
    /// First byte outside every RFC 7983 range.
    case unknownClass = "unknown_class"
    /// A STUN message other than a Binding request (mediamux never sends requests, so expects no responses).
    case unexpectedSTUN = "unexpected_stun"
    /// FINGERPRINT missing or wrong.
    case badFingerprint = "bad_fingerprint"
    /// USERNAME or MESSAGE-INTEGRITY missing (400).
    case missingAttribute = "missing_attribute"
    /// USERNAME names no live session.
    case unknownUfrag = "unknown_ufrag"
    /// MESSAGE-INTEGRITY did not verify (401).
    case badIntegrity = "bad_integrity"
    /// The peer claimed the controlled role too (487).
    case roleConflict = "role_conflict"
    /// A comprehension-required attribute mediamux does not know (420).
    case unknownAttribute = "unknown_attribute"
    /// The source IP failed authentication too often; its STUN is ignored for a while.
    case rateLimited = "rate_limited"
    /// The check named a session that failed too many checks from sources it has no tuple from; it was
    /// dropped unverified.
    case ufragRateLimited = "ufrag_rate_limited"
    /// A valid check for one session from an address another live session holds with fresh consent: the
    /// address stays with its holder.
    case addressConflict = "address_conflict"
    /// A non-STUN datagram from an address no session has authenticated.
    case unknownAddress = "unknown_address"
    /// Longer than a receive slot (2,048 bytes), so the kernel cut it; WebRTC stays under the path MTU.
    case truncated
    /// On a plain RTP port (the `rtp` bridge): from an IP address other than the sink's.
    case foreignSource = "foreign_source"

    init(_ refusal: ConnectivityCheck.Refusal) {
        switch refusal {
        case .badFingerprint: self = .badFingerprint
        case .missingAttribute: self = .missingAttribute
        case .badIntegrity: self = .badIntegrity
        case .roleConflict: self = .roleConflict
        case .unknownAttribute: self = .unknownAttribute
        }
    }

    /// Refusals that count against the source IP's failure budget.
    var chargesRateLimit: Bool {
        switch self {
        case .missingAttribute, .unknownUfrag, .badIntegrity: true
        default: false
        }
    }
}
