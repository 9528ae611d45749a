import CMuxDigest

/// The HMAC-SHA1 key of short-term credentials (RFC 8489, section 9.1.1): the password's bytes.
///
/// Made once per session, with the key's pads already hashed, so a check neither copies the password nor
/// rebuilds the key: a flood of wrong-password checks costs only the two hashes of each message. ICE
/// passwords are `ice-char` ASCII, for which OpaqueString (SASLprep's successor) changes nothing.
public struct STUNIntegrityKey: Sendable {
    private let storage: Storage

    public init(password: String) {
        self.storage = Storage(Array(password.utf8))
    }

    /// HMAC-SHA1 over `bytes[0..<end]` with the header's length field replaced by `length`, into `out`.
    func authenticationCode(
        _ bytes: UnsafeRawBufferPointer, end: Int, length: Int, into out: UnsafeMutableRawBufferPointer
    ) {
        precondition(end >= 4 && end <= bytes.count && out.count >= Self.codeLength)
        mm_hmac_sha1_stun(
            self.storage.pointer, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), end,
            UInt16(truncatingIfNeeded: length),
            out.baseAddress!.assumingMemoryBound(to: UInt8.self)
        )
    }

    static let codeLength = 20

    /// True when `computed` equals `received`, compared without an early exit.
    static func matches(_ computed: UnsafeRawBufferPointer, _ received: UnsafeRawBufferPointer) -> Bool {
        computed.count == received.count && zip(computed, received).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The C key state; immutable after creation, so shared freely between threads.
    private final class Storage: Sendable {
        nonisolated(unsafe) let pointer: OpaquePointer

        init(_ secret: [UInt8]) {
            guard let pointer = secret.withUnsafeBufferPointer({ mm_hmac_sha1_key_new($0.baseAddress, $0.count) })
            else {
                fatalError("out of memory for an HMAC key")
            }
            self.pointer = pointer
        }

        deinit { mm_hmac_sha1_key_free(self.pointer) }
    }
}
