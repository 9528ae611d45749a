import CMuxCrypto

/// The libsrtp2 this binary is linked with, as it describes itself. Operators need to know which crypto
/// library it runs on: Debian's own libsrtp2 is built on NSS, which slows down as sessions are added.
public enum SRTPLibrary {
    /// libsrtp2's version string, e.g. "libsrtp2 2.5.0".
    public static var version: String { String(cString: mm_srtp_version()) }

    /// The crypto library libsrtp2 was built on, lowercased ("openssl", "nss"), from the description it
    /// gives its AES-128-GCM cipher.
    public static var cryptoBackend: String {
        let words = String(cString: mm_srtp_cipher_description()).split(separator: " ")
        guard let using = words.firstIndex(of: "using"), using + 1 < words.count else { return "unknown" }
        return words[using + 1].lowercased()
    }
}
