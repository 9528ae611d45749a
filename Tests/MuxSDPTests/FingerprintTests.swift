import MuxSDP
import Testing

@Suite struct FingerprintTests {
    @Test func formatsADigestAsUppercaseColonSeparatedHex() {
        #expect(Fingerprint.hex([0xAB, 0x01, 0xFF]) == "AB:01:FF")
        #expect(Fingerprint.hex([]) == "")
        let fingerprint = Fingerprint.sha256(Fixture.digest)
        #expect(fingerprint.algorithmName == "sha-256")
        let hex = "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F"
        #expect(fingerprint.hex == hex)
        #expect(fingerprint.sdpValue == "sha-256 " + fingerprint.hex)
    }

    @Test func parsesHexBackToBytes() {
        #expect(Fingerprint.bytes(hex: "ab:CD:01") == [0xAB, 0xCD, 0x01])
        for bad in ["", "A:BC", "+F:00", "ABC", "AB::CD", "GG", "AB:", " AB"] {
            #expect(Fingerprint.bytes(hex: bad) == nil, "\(bad)")
        }
        var generator = SystemRandomNumberGenerator()
        let digest = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(Fingerprint.bytes(hex: Fingerprint.hex(digest)) == digest)
    }

    @Test func matchesTheCertificateDigestItWasMadeFrom() throws {
        let hex = "4F:AC:D4:CF:2C:76:3A:A1:B8:1B:F3:83:31:2F:C5:BC:30:21:E0:A4:44:DE:2D:81:B9:BB:99:BC:91:7F:8A:39"
        let line = "sha-256 " + hex
        let fingerprint = try #require(Fingerprint(sdpValue: line))
        #expect(fingerprint.algorithm == .sha256)
        #expect(fingerprint.isVerifiable)
        #expect(fingerprint.sdpValue == line)
        #expect(fingerprint.matches(digest: fingerprint.digest))
        #expect(!fingerprint.matches(digest: fingerprint.digest.reversed()))
        #expect(!fingerprint.matches(digest: fingerprint.digest.dropLast()))
    }

    @Test func refusesADigestOfTheWrongLength() {
        #expect(Fingerprint(sdpValue: "sha-256 AB:CD") == nil)
        #expect(Fingerprint(sdpValue: "sha-256") == nil)
        #expect(Fingerprint(sdpValue: "SHA-1 " + Fingerprint.hex([UInt8](repeating: 7, count: 20)))?.algorithm == .sha1)
    }

    @Test func keepsUnknownHashFunctionsButCannotCheckThem() {
        let md5 = Fingerprint(sdpValue: "md5 AB:CD:EF")
        #expect(md5?.algorithmName == "md5")
        #expect(md5?.isVerifiable == false)
        #expect(Fingerprint(algorithm: .sha1, digest: [UInt8](repeating: 0, count: 20)).isVerifiable == false)
    }
}
