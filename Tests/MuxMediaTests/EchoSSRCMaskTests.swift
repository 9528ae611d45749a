import MuxCore
import MuxMedia
import Testing

/// The echo's own SSRCs in RTP and every RTCP packet a browser, aiortc or webrtcbin sends (issue 10, item 5).
@Suite struct EchoSSRCMaskTests {
    let mask = EchoSSRCMask(session: SessionID(rawValue: 0x0123_4567_89AB_CDEF))
    static let peer: UInt32 = 0x1111_1111
    static let rtx: UInt32 = 0x2222_2222
    static let ours: UInt32 = 0x3333_3333

    static func be(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// One RTCP packet: header with `count`, `type`, the length in words minus one, then `body`.
    static func rtcp(count: UInt8, type: UInt8, _ body: [UInt8]) -> [UInt8] {
        precondition(body.count % 4 == 0)
        let words = body.count / 4
        return [0x80 | count, type, UInt8(words >> 8), UInt8(words & 0xFF)] + body
    }

    func rewritten(_ packet: [UInt8], rtcp: Bool) -> [UInt8] {
        var copy = packet
        copy.withUnsafeMutableBytes { rtcp ? self.mask.rewriteRTCP($0) : self.mask.rewriteRTP($0) }
        return copy
    }

    func mapped(_ ssrc: UInt32) -> [UInt8] { Self.be(self.mask.map(ssrc)) }

    @Test func rewritesTheRTPSSRCAndNothingElse() {
        let packet: [UInt8] = [0x80, 96, 0, 1, 0, 0, 0, 9] + Self.be(Self.peer) + Array(repeating: 0xAB, count: 20)
        let echoed = self.rewritten(packet, rtcp: false)
        #expect(Array(echoed[8..<12]) == self.mapped(Self.peer))
        #expect(echoed[..<8] == packet[..<8] && echoed[12...] == packet[12...])
        #expect(self.rewritten(echoed, rtcp: false) == packet)
    }

    @Test func rewritesEverySSRCOfACompoundPacket() {
        let reportBlock = Self.be(Self.ours) + Array(repeating: 7, count: 20)
        let sr = Self.rtcp(count: 1, type: 200, Self.be(Self.peer) + Array(repeating: 5, count: 20) + reportBlock)
        let cname = Array("abc".utf8)
        let sdes = Self.rtcp(count: 1, type: 202, Self.be(Self.peer) + [1, UInt8(cname.count)] + cname + [0, 0, 0])
        let nack = Self.rtcp(count: 1, type: 205, Self.be(Self.peer) + Self.be(Self.ours) + [0, 5, 0, 0])
        let pli = Self.rtcp(count: 1, type: 206, Self.be(Self.peer) + Self.be(Self.ours))
        let fir = Self.rtcp(count: 4, type: 206, Self.be(Self.peer) + Self.be(0) + Self.be(Self.ours) + [3, 0, 0, 0])
        let remb = Self.rtcp(
            count: 15, type: 206,
            Self.be(Self.peer) + Self.be(0) + Array("REMB".utf8) + [2, 0x12, 0x34, 0x56] + Self.be(Self.ours)
                + Self.be(Self.rtx))
        let dlrr = Self.rtcp(
            count: 0, type: 207, Self.be(Self.peer) + [5, 0, 0, 3] + Self.be(Self.ours) + Self.be(9) + Self.be(10))
        let bye = Self.rtcp(count: 2, type: 203, Self.be(Self.peer) + Self.be(Self.rtx))
        let compound = sr + sdes + nack + pli + fir + remb + dlrr + bye
        let echoed = self.rewritten(compound, rtcp: true)

        var expected = compound
        // Every place an SSRC sits, found by value: each of them must be mapped, and nothing else changes.
        var offset = 0
        while offset + 4 <= compound.count {
            let word = Array(compound[offset..<offset + 4])
            if [Self.peer, Self.rtx, Self.ours].map(Self.be).contains(word) {
                let value = UInt32(word[0]) << 24 | UInt32(word[1]) << 16 | UInt32(word[2]) << 8 | UInt32(word[3])
                expected.replaceSubrange(offset..<offset + 4, with: self.mapped(value))
            }
            offset += 4
        }
        #expect(echoed == expected)
        #expect(self.rewritten(echoed, rtcp: true) == compound)
    }

    @Test func stopsAtAPacketWhoseLengthDoesNotFit() {
        let pli = Self.rtcp(count: 1, type: 206, Self.be(Self.peer) + Self.be(Self.ours))
        var broken = Self.rtcp(count: 1, type: 206, Self.be(Self.peer) + Self.be(Self.ours))
        broken[3] = 200
        let echoed = self.rewritten(pli + broken, rtcp: true)
        #expect(Array(echoed[4..<8]) == self.mapped(Self.peer))
        #expect(echoed[pli.count...] == broken[...], "the broken packet is left alone")
    }

    @Test func anyBytesAreRewrittenWithoutCrashAndTwiceIsNothing() {
        // The walk reads only lengths, counts and types, which it never changes: whatever the bytes, a second
        // rewrite undoes the first, and nothing is read or written out of bounds.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...160, using: &generator)
            var packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length > 1, Bool.random(using: &generator) {
                packet[0] = 0x80 | (packet[0] & 0x1F)
                packet[1] = UInt8.random(in: 200...207)
            }
            #expect(self.rewritten(self.rewritten(packet, rtcp: true), rtcp: true) == packet)
            #expect(self.rewritten(self.rewritten(packet, rtcp: false), rtcp: false) == packet)
        }
    }
}
