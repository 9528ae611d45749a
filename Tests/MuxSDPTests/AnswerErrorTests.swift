import MuxSDP
import Testing

/// Offers mediamux must refuse, each with a message that names the m-section at fault.
@Suite struct AnswerErrorTests {
    @Test func refusesAnOfferWithoutFingerprint() {
        let error = SDPText.answerError(SDPText.removing("a=fingerprint:", from: Offers.aiortc))
        #expect(error == .missingFingerprint(kind: .audio, mid: "0"))
        #expect(
            error?.description
                == "m-section 'audio' (mid 0) has no a=fingerprint, neither at media nor at session level"
        )
    }

    @Test func refusesAnOfferWithoutICEUfragNamingTheSection() {
        // Audio rejected by the offer, so video carries the transport and is the section at fault.
        let offer = SDPText.edit(SDPText.removing("a=ice-ufrag:", from: Offers.chrome)) {
            $0.hasPrefix("m=audio ") ? "m=audio 0 UDP/TLS/RTP/SAVPF 111" : $0
        }
        let error = SDPText.answerError(offer)
        #expect(error == .missingICECredentials(kind: .video, mid: "1", attribute: "ice-ufrag"))
        #expect(error?.description == "m-section 'video' (mid 1) has no a=ice-ufrag")
    }

    @Test func refusesAnOfferWithoutICEPassword() {
        let error = SDPText.answerError(SDPText.removing("a=ice-pwd:", from: Offers.aiortc))
        #expect(error == .missingICECredentials(kind: .audio, mid: "0", attribute: "ice-pwd"))
    }

    @Test func refusesAnOfferWithoutRTCPMux() {
        let error = SDPText.answerError(SDPText.removing("a=rtcp-mux", from: Offers.aiortc))
        #expect(error == .missingRTCPMux(kind: .audio, mid: "0"))
        #expect(
            error?.description == "m-section 'audio' (mid 0) has no a=rtcp-mux; mediamux needs RTP and RTCP on one port"
        )
    }

    @Test func refusesFingerprintsItCannotCheck() {
        let offer = SDPText.edit(Offers.chrome) {
            $0.hasPrefix("a=fingerprint:sha-256 ") ? "a=fingerprint:md5 4F:AC:D4:CF:2C:76:3A:A1" : $0
        }
        let error = SDPText.answerError(offer)
        #expect(error == .unsupportedFingerprintAlgorithm(kind: .audio, mid: "0", offered: ["md5"]))
        #expect(error?.description.contains("md5 only") == true)
    }

    @Test func namesOnlyTheHashItChecks() {
        // The message once listed sha-384 and sha-512, which the DTLS engine cannot compare.
        let offer = SDPText.edit(Offers.chrome) {
            $0.hasPrefix("a=fingerprint:sha-256 ")
                ? "a=fingerprint:sha-1 " + Array(repeating: "4F", count: 20).joined(separator: ":") : $0
        }
        let error = SDPText.answerError(offer)
        #expect(
            error?.description.hasSuffix("has fingerprints with sha-1 only; mediamux checks sha-256") == true,
            "\(String(describing: error))")
    }

    @Test func refusesASectionWithoutMid() {
        let error = SDPText.answerError(SDPText.removing("a=mid:1", from: Offers.aiortc))
        #expect(error == .missingMid(index: 1, kind: .video))
        #expect(error?.description == "m-section 1 ('video') has no a=mid; WebRTC offers carry one in every m-section")
    }

    @Test func refusesARepeatedMid() {
        let offer = SDPText.replacing("a=mid:1", with: "a=mid:0", in: Offers.aiortc)
        #expect(SDPText.answerError(offer) == .duplicateMid("0"))
    }

    @Test func refusesABundleGroupNamingAnUnknownMid() {
        let offer = SDPText.replacing("a=group:BUNDLE 0 1", with: "a=group:BUNDLE 0 1 7", in: Offers.aiortc)
        let error = SDPText.answerError(offer)
        #expect(error == .unknownBundleMid("7"))
        #expect(error?.description == "a=group:BUNDLE lists mid 7, but no m-section has a=mid:7")
    }

    @Test func refusesABundleGroupWithoutMids() {
        let offer = SDPText.replacing("a=group:BUNDLE 0 1", with: "a=group:BUNDLE", in: Offers.aiortc)
        #expect(SDPText.answerError(offer) == .bundleWithoutMids)
    }

    @Test func refusesSeveralSectionsWithoutBundle() {
        let offer = SDPText.removing("a=group:BUNDLE", from: Offers.aiortc)
        #expect(SDPText.answerError(offer) == .bundleRequired(sections: 2))
    }

    @Test func refusesAnOfferWithNothingToAccept() {
        #expect(SDPText.answerError(Offers.aiortc, options: Fixture.options(codecs: ["AV1"])) == .nothingToAnswer)
        // Only the data channel left: audio goes, then video (by then the first m-section) goes.
        var dataOnly = SDPText.edit(Offers.aiortcWithDataChannel, section: 0) { _ in nil }
        dataOnly = SDPText.edit(dataOnly, section: 0) { _ in nil }
        dataOnly = SDPText.replacing("a=group:BUNDLE 0 1 2", with: "a=group:BUNDLE 2", in: dataOnly)
        #expect(SDPText.answerError(dataOnly) == .nothingToAnswer)
    }

    @Test func refusesOptionsThatWouldBreakTheAnswer() {
        var options = Fixture.options()
        options.candidates = ["a=candidate:1 1 udp 1 127.0.0.1 7882 typ host"]
        #expect(SDPText.answerError(Offers.aiortc, options: options) == .invalidOption("candidates[0]"))
        options = Fixture.options()
        options.iceUfrag = "two words"
        #expect(SDPText.answerError(Offers.aiortc, options: options) == .invalidOption("iceUfrag"))
        options = Fixture.options()
        options.fingerprint = Fingerprint(algorithm: .sha256, digest: [1, 2, 3])
        #expect(SDPText.answerError(Offers.aiortc, options: options) == .invalidOption("fingerprint"))
    }

    @Test func describesEveryErrorInWords() {
        let errors: [SDPError] = [
            .notSDP, .malformedLine(4, "x"), .noMediaSections, .missingMid(index: 0, kind: .audio),
            .duplicateMid("0"), .bundleWithoutMids, .unknownBundleMid("9"), .bundleRequired(sections: 2),
            .nothingToAnswer, .missingICECredentials(kind: .video, mid: "1", attribute: "ice-pwd"),
            .missingFingerprint(kind: .video, mid: "1"),
            .unsupportedFingerprintAlgorithm(kind: .video, mid: "1", offered: ["md5"]),
            .missingRTCPMux(kind: .video, mid: "1"), .unsupportedSetup("holdconn"), .invalidOption("icePwd"),
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(errors.allSatisfy { !$0.description.isEmpty })
    }
}
