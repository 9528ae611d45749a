import CMuxCrypto

/// The SRTP protection profiles mediamux offers, by their DTLS-SRTP ids (RFC 5764, RFC 7714).
public enum SRTPProfile: Int32, Sendable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    // libsrtp's and RFC 5764's name, whose "80" is the tag's bit count.
    case aes128CMHMACSHA1_80 = 1
    case aeadAES128GCM = 7

    var keyLength: Int { Int(mm_srtp_key_length(self.rawValue)) }
    var saltLength: Int { Int(mm_srtp_salt_length(self.rawValue)) }

    public var name: String {
        switch self {
        case .aes128CMHMACSHA1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: "SRTP_AEAD_AES_128_GCM"
        }
    }
}

/// Keys exported from a DTLS handshake: the client's protect what the client sends.
public struct SRTPKeyMaterial: Sendable, Equatable {
    public let profile: SRTPProfile
    public let clientKey: [UInt8]
    public let clientSalt: [UInt8]
    public let serverKey: [UInt8]
    public let serverSalt: [UInt8]

    public init(profile: SRTPProfile, clientKey: [UInt8], clientSalt: [UInt8], serverKey: [UInt8], serverSalt: [UInt8])
    {
        self.profile = profile
        self.clientKey = clientKey
        self.clientSalt = clientSalt
        self.serverKey = serverKey
        self.serverSalt = serverSalt
    }
}

/// Why a packet did not pass SRTP; each is a drop reason.
public enum SRTPFailure: Error, Sendable, Equatable {
    case authentication
    case replay
    case other
}

/// One direction of SRTP and SRTCP, for any SSRC (libsrtp2). Works in place on the caller's buffer.
///
/// Not thread-safe: its owner serialises calls.
public final class SRTPContext {
    private let pointer: OpaquePointer

    /// Room `protect` may need after the packet.
    public static let maxTrailer = Int(mm_srtp_max_trailer())

    public init(profile: SRTPProfile, key: [UInt8], salt: [UInt8], inbound: Bool) throws {
        guard let pointer = mm_srtp_new(profile.rawValue, key, salt, inbound ? 1 : 0) else {
            throw CryptoError("cannot create an SRTP context for \(profile.name)")
        }
        self.pointer = pointer
    }

    deinit {
        mm_srtp_free(self.pointer)
    }

    /// Encrypts `length` bytes at the start of `buffer` and returns the new length; `buffer` must have
    /// `maxTrailer` bytes to spare.
    public func protect(_ buffer: UnsafeMutableRawBufferPointer, length: Int, isRTCP: Bool) -> Result<Int, SRTPFailure>
    {
        var newLength = Int32(length)
        let status = mm_srtp_protect(
            self.pointer, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &newLength, Int32(buffer.count),
            isRTCP ? 1 : 0
        )
        return Self.result(status, Int(newLength))
    }

    /// Decrypts and authenticates in place; returns the plaintext length.
    public func unprotect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, isRTCP: Bool
    ) -> Result<Int, SRTPFailure> {
        var newLength = Int32(length)
        let status = mm_srtp_unprotect(
            self.pointer, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &newLength, isRTCP ? 1 : 0
        )
        return Self.result(status, Int(newLength))
    }

    private static func result(_ status: Int32, _ length: Int) -> Result<Int, SRTPFailure> {
        switch Int(status) {
        case Int(MM_SRTP_OK): .success(length)
        case Int(MM_SRTP_AUTH_FAIL): .failure(.authentication)
        case Int(MM_SRTP_REPLAY): .failure(.replay)
        default: .failure(.other)
        }
    }
}

/// Both directions of one session's SRTP, keyed for mediamux's DTLS role.
public final class SRTPSession {
    public let profile: SRTPProfile
    public let inbound: SRTPContext
    public let outbound: SRTPContext

    public init(keys: SRTPKeyMaterial, role: DTLSRole) throws {
        self.profile = keys.profile
        let (remoteKey, remoteSalt, localKey, localSalt) =
            role == .server
            ? (keys.clientKey, keys.clientSalt, keys.serverKey, keys.serverSalt)
            : (keys.serverKey, keys.serverSalt, keys.clientKey, keys.clientSalt)
        self.inbound = try SRTPContext(profile: keys.profile, key: remoteKey, salt: remoteSalt, inbound: true)
        self.outbound = try SRTPContext(profile: keys.profile, key: localKey, salt: localSalt, inbound: false)
    }
}
