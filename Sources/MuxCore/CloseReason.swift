import MuxICE

/// Why a session ended; the value of the `reason` label of `mediamux_session_closed_total`.
public enum CloseReason: String, Sendable, CaseIterable, Codable {
    /// The control API deleted it.
    case deleted
    /// No pair was nominated within `connect_timeout`.
    case connectTimeout = "connect_timeout"
    /// No authenticated check arrived for `consent_timeout` (RFC 7675).
    case consentExpired = "consent_expired"
    /// It reached `max_duration`.
    case maxDuration = "max_duration"
    /// The server is stopping.
    case shutdown
    /// The DTLS handshake failed, did not finish within `dtls.timeout`, or the peer's certificate did not
    /// match the fingerprint it signaled.
    case dtlsFailed = "dtls_failed"
    /// The peer closed DTLS (close_notify).
    case peerClosed = "peer_closed"

    init(_ expiry: ICELiteAgent.Expiry) {
        switch expiry {
        case .connectTimeout: self = .connectTimeout
        case .consentExpired: self = .consentExpired
        case .maxDuration: self = .maxDuration
        }
    }
}
