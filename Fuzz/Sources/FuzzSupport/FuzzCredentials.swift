import MuxICE
import MuxWire

/// The credentials the seed corpus was made with (scripts/fuzz-seeds.py), so that mutations of a seed
/// reach the code behind a verified check.
public enum FuzzCredentials {
    public static let ice = ICECredentials(ufrag: "fuzz", password: "fuzzfuzzfuzzfuzzfuzzfuzz")
    public static let key = STUNIntegrityKey(password: ice.password)
    public static let source = TransportAddress(ip: .v4(0xC000_0201), port: 4000)

    /// The SRTP master key and salt of the seed packets (AES-128-GCM: 16 and 12 bytes).
    public static let srtpKey: [UInt8] = Array(0..<16)
    public static let srtpSalt: [UInt8] = Array(16..<28)
}
