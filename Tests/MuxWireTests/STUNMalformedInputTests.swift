import MuxWire
import Testing

@Suite struct STUNMalformedInputTests {
    @Test func refusesEveryTruncationOfTheSampleRequest() {
        for length in 0..<RFC5769.request.count {
            #expect(throws: STUNParseError.self) { try STUNMessage(parsing: Array(RFC5769.request.prefix(length))) }
        }
    }

    @Test func detectsAFlippedBitWithTheFingerprint() throws {
        let key = STUNIntegrityKey(password: RFC5769.password)
        for index in STUN.headerLength..<(RFC5769.request.count - 8) {
            var corrupted = RFC5769.request
            corrupted[index] ^= 0x01
            guard let message = try? STUNMessage(parsing: corrupted) else { continue }
            #expect(!message.hasValidFingerprint || !message.verifyIntegrity(with: key), "byte \(index)")
        }
    }

    @Test func refusesAWrongMagicCookieAndLength() {
        var noCookie = RFC5769.request
        noCookie[4] = 0
        #expect(throws: STUNParseError.badMagicCookie) { try STUNMessage(parsing: noCookie) }
        var badLength = RFC5769.request
        badLength[3] = 0x54
        #expect(throws: STUNParseError.badLength) { try STUNMessage(parsing: badLength) }
    }

    @Test func refusesAnAttributeAfterFingerprint() {
        var trailing = RFC5769.request + [0x80, 0x22, 0x00, 0x00]
        trailing[3] += 4
        #expect(throws: STUNParseError.attributeAfterFingerprint) { try STUNMessage(parsing: trailing) }
    }

    /// Random bytes behind a valid header: parsing may fail but never traps.
    @Test func survivesRandomAttributes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bodyLength = Int.random(in: 0...16, using: &generator) * 4
            var bytes: [UInt8] = [0x00, 0x01, 0x00, UInt8(bodyLength), 0x21, 0x12, 0xA4, 0x42]
            bytes += (0..<(12 + bodyLength)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if let message = try? STUNMessage(parsing: bytes) {
                _ = message.username
                _ = message.xorMappedAddress
                _ = message.errorCode
                _ = message.priority
                _ = message.hasValidFingerprint
            }
        }
    }
}
