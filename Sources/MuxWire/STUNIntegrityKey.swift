import Crypto

/// The HMAC-SHA1 key of short-term credentials (RFC 8489, section 9.1.1): the password's bytes.
///
/// Made once per session, so a check does not copy the password. ICE passwords are `ice-char` ASCII, for which
/// OpaqueString (SASLprep's successor) changes nothing.
/// `@unchecked` because swift-crypto 3 does not mark `SymmetricKey` Sendable, though it is immutable.
public struct STUNIntegrityKey: @unchecked Sendable {
    let key: SymmetricKey

    public init(password: String) {
        self.key = SymmetricKey(data: Array(password.utf8))
    }

    /// HMAC-SHA1 over `bytes[0..<end]` with the header's length field replaced by `length`.
    func authenticationCode(_ bytes: UnsafeRawBufferPointer, end: Int, length: Int) -> HashedAuthenticationCode<Insecure.SHA1> {
        var hmac = HMAC<Insecure.SHA1>(key: self.key)
        hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[0..<2]))
        let lengthBytes: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        hmac.update(data: lengthBytes)
        hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[4..<end]))
        return hmac.finalize()
    }

    /// True when `received` equals the code, compared without an early exit.
    static func matches(_ code: HashedAuthenticationCode<Insecure.SHA1>, _ received: UnsafeRawBufferPointer) -> Bool {
        code.withUnsafeBytes { computed in
            computed.count == received.count && zip(computed, received).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
