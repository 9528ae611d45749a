import Benchmark
import BenchmarkSupport
import MuxCrypto

// SRTP per packet, per profile: protect a 1200-byte RTP packet with an outbound context, then unprotect it
// with an inbound context of the same key and salt, in place in one buffer, as a handler that relays media
// does for every packet. Each packet has the next sequence number, so the inbound replay window accepts it.
//
// Debian 12's libsrtp2 2.5 is built on NSS and allocates per packet (10 times for a GCM round trip, 28 for
// CM-HMAC-SHA1): `swift package benchmark thresholds check` fails when that count changes either way.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = Measured.perPacket

    for profile in [SRTPProfile.aeadAES128GCM, .aes128CMHMACSHA1_80] {
        let roundTrip = SRTPRoundTrip(profile: profile)
        Benchmark("\(profile.name)-1200B") { benchmark in
            for _ in benchmark.scaledIterations {
                roundTrip.next()
            }
        }
    }
}

/// An outbound and an inbound context of one key, and a buffer holding one RTP packet and room for the trailer.
final class SRTPRoundTrip {
    static let packetLength = 1200

    private let outbound: SRTPContext
    private let inbound: SRTPContext
    private let buffer: UnsafeMutableRawBufferPointer
    private var sequence: UInt16 = 0

    init(profile: SRTPProfile) {
        let key = [UInt8](repeating: 0x11, count: 16)
        let salt = [UInt8](repeating: 0x22, count: profile == .aeadAES128GCM ? 12 : 14)
        do {
            self.outbound = try SRTPContext(profile: profile, key: key, salt: salt, inbound: false)
            self.inbound = try SRTPContext(profile: profile, key: key, salt: salt, inbound: true)
        } catch {
            fatalError("\(profile.name): \(error)")
        }
        self.buffer = .allocate(byteCount: Self.packetLength + SRTPContext.maxTrailer, alignment: 16)
        self.buffer.initializeMemory(as: UInt8.self, repeating: 0xAA)
        // Version 2, payload type 111, sequence (set per packet), timestamp, SSRC 0x12345678.
        let header: [UInt8] = [0x80, 111, 0, 0, 0, 0, 0x10, 0, 0x12, 0x34, 0x56, 0x78]
        self.buffer.copyBytes(from: header)
    }

    deinit {
        self.buffer.deallocate()
    }

    /// Protects and unprotects the packet with the next sequence number; the buffer holds the plaintext again.
    func next() {
        self.sequence &+= 1
        self.buffer[2] = UInt8(self.sequence >> 8)
        self.buffer[3] = UInt8(self.sequence & 0xFF)
        let length = Self.packetLength
        guard case .success(let protected) = self.outbound.protect(self.buffer, length: length, isRTCP: false),
            case .success(let plain) = self.inbound.unprotect(self.buffer, length: protected, isRTCP: false),
            plain == length
        else {
            fatalError("SRTP round trip failed at sequence \(self.sequence)")
        }
    }
}
