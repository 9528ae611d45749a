import MuxSDP
import Testing

/// An echo session's answer announces the SSRCs it sends under: the offer's, XORed with the session's mask.
@Suite struct EchoSSRCAnswerTests {
    @Test func announcesTheOffersSSRCsMappedWithTheirGroups() throws {
        var options = Fixture.options()
        let mask: UInt32 = 0x0F0F_0F0F
        options.returnedSSRCMask = mask
        let answer = try Answer(to: SessionDescription(parsing: Offers.aiortc), options: options).sdp
        let video = try #require(SDPText.sections(answer).dropFirst().first)
        #expect(video.contains("a=ssrc-group:FID \(UInt32(3993055194) ^ mask) \(UInt32(1984375815) ^ mask)"))
        #expect(video.contains("a=ssrc:\(UInt32(3993055194) ^ mask) cname:mediamux-echo"))
        #expect(video.contains("a=ssrc:\(UInt32(1984375815) ^ mask) msid:mediamux-echo echo-1"))
        #expect(video.contains("a=msid:mediamux-echo echo-1"))
        #expect(!answer.contains("a=ssrc:3993055194"), "never one of the peer's own")
    }

    @Test func announcesNothingWithoutAMaskOrForASectionItDoesNotSendIn() throws {
        let plain = try Answer(to: SessionDescription(parsing: Offers.aiortc), options: Fixture.options()).sdp
        #expect(!plain.contains("a=ssrc"))
        var options = Fixture.options(direction: .recvonly)
        options.returnedSSRCMask = 1
        let receiving = try Answer(to: SessionDescription(parsing: Offers.aiortc), options: options).sdp
        #expect(!receiving.contains("a=ssrc"))
    }
}
