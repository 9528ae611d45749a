import CMuxCrypto

/// The process's DTLS identity: an ECDSA P-256 key and a self-signed certificate, generated at start or
/// loaded from PEM files. Its SHA-256 digest is the fingerprint in every SDP answer.
///
/// `@unchecked Sendable`: immutable after creation; OpenSSL only reads it.
public final class DTLSCertificate: @unchecked Sendable {
    let pointer: OpaquePointer
    /// SHA-256 of the DER certificate (RFC 8122's fingerprint, before hex formatting).
    public let sha256: [UInt8]

    private init(_ pointer: OpaquePointer) throws {
        self.pointer = pointer
        var digest = [UInt8](repeating: 0, count: 32)
        guard mm_certificate_fingerprint(pointer, &digest) == 0 else {
            mm_certificate_free(pointer)
            throw CryptoError("cannot compute the certificate's fingerprint")
        }
        self.sha256 = digest
    }

    deinit {
        mm_certificate_free(self.pointer)
    }

    public static func generate() throws -> DTLSCertificate {
        guard let pointer = mm_certificate_generate() else {
            throw CryptoError("cannot generate an ECDSA P-256 certificate")
        }
        return try DTLSCertificate(pointer)
    }

    public static func load(certificatePath: String, keyPath: String) throws -> DTLSCertificate {
        guard let pointer = mm_certificate_load(certificatePath, keyPath) else {
            throw CryptoError("cannot load a matching certificate and key from \(certificatePath) and \(keyPath)")
        }
        return try DTLSCertificate(pointer)
    }
}

/// An OpenSSL DTLS 1.2 context with the certificate and the SRTP profiles; one per process.
///
/// `@unchecked Sendable`: OpenSSL contexts are safe to share once configured.
public final class DTLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    public let certificate: DTLSCertificate

    public init(certificate: DTLSCertificate) throws {
        guard let pointer = mm_dtls_context_new(certificate.pointer) else {
            throw CryptoError("cannot create a DTLS context with SRTP profiles")
        }
        self.pointer = pointer
        self.certificate = certificate
    }

    deinit {
        mm_dtls_context_free(self.pointer)
    }
}
