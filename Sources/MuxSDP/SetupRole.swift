/// The value of `a=setup` (RFC 4145, section 4), which decides the DTLS client and server (RFC 5763, section 5).
public enum SetupRole: String, Hashable, Sendable, CaseIterable {
    /// The offerer lets the answerer choose. JSEP (RFC 8829, section 5.2.1) makes every WebRTC offer say this.
    case actpass
    /// The writer starts the DTLS handshake (is the DTLS client).
    case active
    /// The writer waits for the ClientHello (is the DTLS server).
    case passive
    /// No connection now. Parsed so that the error can name it; mediamux cannot answer it.
    case holdconn
}
