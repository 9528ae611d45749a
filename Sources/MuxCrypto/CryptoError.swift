/// Why a DTLS or SRTP object could not be made.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
