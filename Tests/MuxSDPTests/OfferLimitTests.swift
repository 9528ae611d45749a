import MuxSDP
import Testing

/// The work and the answer of one offer stay bounded, whatever the offer says (SDPLimits).
@Suite struct OfferLimitTests {
    @Test func aPayloadTypeRepeatedOnTheMLineIsAnsweredOnce() throws {
        // 10,000 repeats of one payload type: once a 13.5-times larger answer.
        let offer = SDPText.edit(Offers.aiortc, section: 0) {
            $0.hasPrefix("m=audio ") ? $0 + String(repeating: " 96", count: 10_000) : $0
        }
        let answer = try Answer(to: SessionDescription(parsing: offer), options: Fixture.options()).sdp
        let plain = try Answer(to: SessionDescription(parsing: Offers.aiortc), options: Fixture.options()).sdp
        #expect(answer.utf8.count == plain.utf8.count)
        let mLine = try #require(SDPText.sections(answer).first?.first)
        #expect(mLine.split(separator: " ").filter { $0 == "96" }.count == 1)
    }

    @Test func refusesAnOfferLongerThanTheLimit() {
        let offer = Offers.aiortc + "a=x-padding:" + String(repeating: "x", count: SDPLimits.offerBytes) + "\r\n"
        let error = SDPText.answerError(offer)
        #expect(error == .tooLarge(bytes: offer.utf8.count))
        #expect(error?.description.contains("at most \(SDPLimits.offerBytes)") == true)
    }

    @Test func refusesMoreMSectionsThanTheLimit() {
        let section = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
        let offer = Offers.aiortc + String(repeating: section, count: SDPLimits.mediaSections)
        #expect(SDPText.answerError(offer) == .tooManySections)
    }

    @Test func refusesMoreDistinctFormatsThanTheLimit() {
        let formats = (0...SDPLimits.formatsPerSection).map { " f\($0)" }.joined()
        let offer = Offers.aiortc + "m=application 9 UDP/DTLS/SCTP\(formats)\r\n"
        let error = SDPText.answerError(offer)
        #expect(error?.description.contains("more than \(SDPLimits.formatsPerSection) distinct formats") == true)
    }
}
