import MuxSDP
import Testing

@Suite struct AnswerTests {
    private func answer(_ offer: String, _ options: AnswerOptions = Fixture.options()) throws -> Answer {
        try Answer(to: SessionDescription(parsing: offer), options: options)
    }

    @Test func writesExactlyTheAnswerAiortcAccepted() throws {
        let answer = try self.answer(Offers.aiortc)
        #expect(answer.sdp == Offers.aiortcAnswer)
        #expect(answer.dtlsRole == .server)
        #expect(answer.bundle == ["0", "1"])
        #expect(answer.media.map(\.payloadTypes) == [[96, 9, 0, 8], [97, 98, 99, 100, 101, 102]])
    }

    @Test func keepsOnlyOpusVP8AndTheirRTXFromChrome() throws {
        let answer = try self.answer(Offers.chrome, Fixture.options(codecs: ["opus", "VP8"]))
        #expect(answer.sdp == Offers.chromeAnswerOpusVP8)
        #expect(answer.media.map(\.payloadTypes) == [[111], [96, 97]])
        let lines = SDPText.lines(answer.sdp)
        #expect(lines.contains("m=audio 9 UDP/TLS/RTP/SAVPF 111"))
        #expect(lines.contains("m=video 9 UDP/TLS/RTP/SAVPF 96 97"))
        #expect(
            lines.filter { $0.hasPrefix("a=rtpmap:") }
                == ["a=rtpmap:111 opus/48000/2", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000"]
        )
        #expect(
            lines.filter { $0.hasPrefix("a=fmtp:") } == ["a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:97 apt=96"]
        )
    }

    @Test func comparesCodecNamesCaseInsensitively() throws {
        let answer = try self.answer(Offers.aiortc, Fixture.options(codecs: ["OPUS", "vp8"]))
        #expect(answer.media.map(\.payloadTypes) == [[96], [97, 98]])
    }

    @Test func dropsRTXWhosePrimaryIsNotKept() throws {
        // H264 only: 99 and 101 stay with their RTX 100 and 102; VP8's RTX 98 goes with VP8.
        let answer = try self.answer(Offers.aiortc, Fixture.options(codecs: ["H264"]))
        #expect(answer.media[1].payloadTypes == [99, 100, 101, 102])
        // No audio codec is left, so audio is rejected and leaves the BUNDLE group.
        #expect(answer.media[0].rejection == .noAllowedCodec)
        #expect(answer.bundle == ["1"])
        let lines = SDPText.lines(answer.sdp)
        #expect(lines.contains("a=group:BUNDLE 1"))
        #expect(SDPText.sections(answer.sdp)[0].first == "m=audio 0 UDP/TLS/RTP/SAVPF 96 9 0 8")
    }

    @Test func keepsEveryOfferedCodecWithoutAnAllowList() throws {
        let offer = try SessionDescription(parsing: Offers.chrome)
        let answer = try Answer(to: offer, options: Fixture.options())
        #expect(answer.media.map(\.payloadTypes) == offer.media.map(\.payloadTypes))
    }

    @Test func declaresICELiteAndMirrorsTheBundleGroup() throws {
        let lines = SDPText.lines(try self.answer(Offers.chrome).sdp)
        #expect(Array(lines.prefix(4)) == ["v=0", "o=- 4242 2 IN IP4 127.0.0.1", "s=-", "t=0 0"])
        let session = lines.prefix { !$0.hasPrefix("m=") }
        #expect(session.contains("a=ice-lite"))
        #expect(session.contains("a=group:BUNDLE 0 1"))
    }

    @Test func putsEveryCandidateThenEndOfCandidatesInEveryAcceptedSection() throws {
        for offer in [Offers.aiortc, Offers.chrome] {
            let sections = SDPText.sections(try self.answer(offer).sdp)
            #expect(sections.count == 2)
            for section in sections {
                #expect(Array(section.suffix(3)) == Fixture.candidates.map { "a=" + $0 } + ["a=end-of-candidates"])
            }
        }
    }

    @Test func writesTheSameTransportIntoEverySection() throws {
        for section in SDPText.sections(try self.answer(Offers.chrome).sdp) {
            #expect(section.contains("c=IN IP4 0.0.0.0"))
            #expect(section.contains("a=ice-ufrag:FqL2qbB3"))
            #expect(section.contains("a=ice-pwd:kqy6qZ4LRjuIqKfpiCh9sT2Y"))
            #expect(section.contains("a=fingerprint:sha-256 " + Fingerprint.hex(Fixture.digest)))
            #expect(section.contains("a=rtcp-mux"))
            #expect(section.contains("a=rtcp-rsize"))
            #expect(section.first?.split(separator: " ")[1] == "9")
        }
    }

    @Test func answersActpassAndActiveWithPassive() throws {
        for offered in ["a=setup:actpass", "a=setup:active"] {
            let offer = SDPText.replacing("a=setup:actpass", with: offered, in: Offers.chrome)
            let answer = try self.answer(offer)
            #expect(answer.dtlsRole == .server)
            let setups = SDPText.lines(answer.sdp).filter { $0.hasPrefix("a=setup:") }
            #expect(setups == ["a=setup:passive", "a=setup:passive"])
        }
    }

    @Test func answersPassiveWithActive() throws {
        let offer = SDPText.replacing("a=setup:actpass", with: "a=setup:passive", in: Offers.aiortc)
        let answer = try self.answer(offer)
        #expect(answer.dtlsRole == .client)
        #expect(SDPText.lines(answer.sdp).filter { $0.hasPrefix("a=setup:") } == ["a=setup:active", "a=setup:active"])
    }

    @Test func answersAnOfferWithoutSetupAsActpass() throws {
        let answer = try self.answer(SDPText.removing("a=setup:", from: Offers.chrome))
        #expect(answer.dtlsRole == .server)
    }

    @Test func refusesHoldconn() {
        let offer = SDPText.replacing("a=setup:actpass", with: "a=setup:holdconn", in: Offers.chrome)
        #expect(SDPText.answerError(offer) == .unsupportedSetup("holdconn"))
    }

    @Test func mirrorsTheOfferedDirection() throws {
        let cases: [(offered: String, answered: String)] = [
            ("a=sendrecv", "a=sendrecv"), ("a=sendonly", "a=recvonly"), ("a=recvonly", "a=sendonly"),
            ("a=inactive", "a=inactive"),
        ]
        for (offered, answered) in cases {
            let offer = SDPText.replacing("a=sendrecv", with: offered, in: Offers.aiortc)
            let lines = SDPText.lines(try self.answer(offer).sdp)
            #expect(lines.filter { Direction(rawValue: String($0.dropFirst(2))) != nil } == [answered, answered])
        }
    }

    @Test func answersRecvonlyForAHandlerThatOnlyReceives() throws {
        let sendrecv = try self.answer(Offers.chrome, Fixture.options(direction: .recvonly))
        #expect(sendrecv.media.map(\.direction) == [.recvonly, .recvonly])
        let offer = SDPText.replacing("a=sendrecv", with: "a=recvonly", in: Offers.chrome)
        let recvonly = try self.answer(offer, Fixture.options(direction: .recvonly))
        #expect(recvonly.media.map(\.direction) == [.inactive, .inactive])
    }

    @Test func rejectsTheDataChannelWithPortZeroAndKeepsItsMid() throws {
        let answer = try self.answer(Offers.aiortcWithDataChannel)
        #expect(answer.media.map(\.rejection) == [nil, nil, .unsupportedKind])
        #expect(answer.bundle == ["0", "1"])
        #expect(SDPText.lines(answer.sdp).contains("a=group:BUNDLE 0 1"))
        let application = SDPText.sections(answer.sdp)[2]
        #expect(application.first == "m=application 0 UDP/DTLS/SCTP webrtc-datachannel")
        #expect(application.contains("a=mid:2"))
        #expect(!application.contains { $0.hasPrefix("a=candidate:") || $0 == "a=end-of-candidates" })
    }

    @Test func rejectsSectionsTheOfferRejected() throws {
        let offer = SDPText.edit(Offers.chrome, section: 1) {
            $0.hasPrefix("m=video 51587 ") ? "m=video 0 UDP/TLS/RTP/SAVPF 96" : $0
        }
        let answer = try self.answer(offer)
        #expect(answer.media.map(\.rejection) == [nil, .rejectedByOffer])
        #expect(answer.bundle == ["0"])
        #expect(SDPText.sections(answer.sdp)[1].first == "m=video 0 UDP/TLS/RTP/SAVPF 96")
    }

    @Test func acceptsABundleOnlySectionThroughTheBundleTransport() throws {
        // RFC 8843: a bundle-only section has port 0 and may leave every transport attribute to the first section.
        let transport = ["a=ice-", "a=fingerprint:", "a=setup:", "a=rtcp-mux", "a=candidate:"]
        let offer = SDPText.edit(Offers.chrome, section: 1) { line in
            if line.hasPrefix("m=video ") {
                return "m=video 0 UDP/TLS/RTP/SAVPF 96 97"
            }
            if line == "a=mid:1" {
                return "a=mid:1\r\na=bundle-only"
            }
            return transport.contains { line.hasPrefix($0) } ? nil : line
        }
        let answer = try self.answer(offer)
        #expect(answer.media.map(\.isAccepted) == [true, true])
        #expect(SDPText.sections(answer.sdp)[1].first == "m=video 9 UDP/TLS/RTP/SAVPF 96 97")
    }

    @Test func answersASingleSectionWithoutBundle() throws {
        let offer = SDPText.removing("a=group:BUNDLE", from: Offers.aiortc)
        let answer = try self.answer(offer, Fixture.options(codecs: ["opus"]))
        #expect(answer.media.map(\.rejection) == [nil, .noAllowedCodec])
        #expect(answer.bundle == [])
        #expect(!SDPText.lines(answer.sdp).contains { $0.hasPrefix("a=group:") })
    }

    @Test func keepsOnlyTheAllowedHeaderExtensions() throws {
        let video = { (answer: Answer) in SDPText.sections(answer.sdp)[1].filter { $0.hasPrefix("a=extmap:") } }
        #expect(
            video(try self.answer(Offers.chrome)) == [
                "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            ]
        )
        #expect(video(try self.answer(Offers.chrome, Fixture.options(headerExtensions: nil))).count == 11)
    }

    @Test func signalsNoSSRCsOrStreams() throws {
        // The echo handler returns the peer's own SSRCs; the peer maps them to m-sections by mid or payload type.
        let lines = SDPText.lines(try self.answer(Offers.chrome).sdp)
        #expect(!lines.contains { $0.hasPrefix("a=ssrc") || $0.hasPrefix("a=msid:") })
    }

    @Test func endsEveryLineWithCRLF() throws {
        let bytes = Array(try self.answer(Offers.chrome).sdp.utf8)
        #expect(bytes.suffix(2) == [13, 10])
        for index in bytes.indices where bytes[index] == 10 {
            #expect(index > 0 && bytes[index - 1] == 13)
        }
        #expect(bytes.filter { $0 == 13 }.count == bytes.filter { $0 == 10 }.count)
    }

    @Test func reportsThePeersTransport() throws {
        let aiortc = try self.answer(Offers.aiortc).remote
        #expect(aiortc.iceUfrag == "pTwJ")
        #expect(aiortc.icePwd == "dykPZHQ8q2Syfe3hznuapl")
        // Of sha-256, sha-384 and sha-512, the one the DTLS engine compares.
        #expect(aiortc.fingerprint.algorithm == .sha256)
        #expect(aiortc.fingerprints.map(\.algorithmName) == ["sha-256"])
        #expect(aiortc.setup == .actpass)

        let chrome = try self.answer(Offers.chrome).remote
        #expect(chrome.iceUfrag == "OaAE")
        #expect(chrome.fingerprint.algorithm == .sha256)
        #expect(chrome.fingerprint.hex.hasPrefix("4F:AC:D4:CF"))
    }

    @Test func usesTheGivenSessionIDOrARandomOne() throws {
        #expect(SDPText.lines(try self.answer(Offers.chrome).sdp)[1] == "o=- 4242 2 IN IP4 127.0.0.1")
        let random = AnswerOptions(
            iceUfrag: "FqL2qbB3", icePwd: "kqy6qZ4LRjuIqKfpiCh9sT2Y", fingerprint: .sha256(Fixture.digest),
            candidates: Fixture.candidates
        )
        #expect((1...UInt64(Int64.max)).contains(random.sessionID))
    }
}
