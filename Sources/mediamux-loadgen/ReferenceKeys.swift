import MuxCrypto

/// The fixed SRTP keys of `mediamux-reference` (Sources/mediamux-reference/main.c): every byte the same.
/// The reference has no DTLS, so both ends must agree on keys in advance. Never use them elsewhere.
enum ReferenceKeys {
    static func material(profile: SRTPProfile) -> SRTPKeyMaterial {
        let saltLength = profile == .aeadAES128GCM ? 12 : 14
        return SRTPKeyMaterial(
            profile: profile,
            clientKey: [UInt8](repeating: 0xC1, count: 16), clientSalt: [UInt8](repeating: 0xC5, count: saltLength),
            serverKey: [UInt8](repeating: 0x51, count: 16), serverSalt: [UInt8](repeating: 0x55, count: saltLength)
        )
    }
}
