import MuxSDP
import Testing

@Suite struct ParsingTests {
    @Test func readsTheAiortcOffer() throws {
        let offer = try SessionDescription(parsing: Offers.aiortc)
        #expect(offer.bundle == ["0", "1"])
        #expect(!offer.iceLite)
        #expect(offer.media.map(\.kind) == [.audio, .video])
        #expect(offer.media.map(\.mid) == ["0", "1"])

        let audio = offer.media[0]
        #expect(audio.port == 38465)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.payloadTypes == [96, 9, 0, 8])
        #expect(audio.rtpMaps[96] == RTPMap(payloadType: 96, name: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMaps[9] == RTPMap(payloadType: 9, name: "G722", clockRate: 8000))
        #expect(audio.direction == .sendrecv)
        #expect(audio.iceUfrag == "pTwJ")
        #expect(audio.icePwd == "dykPZHQ8q2Syfe3hznuapl")
        #expect(audio.fingerprints.map(\.algorithmName) == ["sha-256", "sha-384", "sha-512"])
        #expect(
            audio.fingerprints[0].hex
                == "DF:BC:35:8A:0F:F5:8C:18:C2:BC:CB:24:9C:7C:01:B8:D9:FD:1E:E7:7D:97:05:91:19:B7:EC:D3:B6:4C:37:A5"
        )
        #expect(audio.setup == .actpass)
        #expect(audio.rtcpMux)
        #expect(!audio.rtcpRsize)
        #expect(audio.extensions.map(\.uri) == [HeaderExtension.KnownURI.mid, HeaderExtension.KnownURI.audioLevel])
        #expect(
            audio.candidates == ["candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 38465 typ host"]
        )
        #expect(audio.endOfCandidates)
        #expect(audio.ssrcValues == [1124270461])
        #expect(audio.msid == ["66984eca-7f99-421a-96e9-f2afa04c9077 4faa5bdb-b47c-4f0c-a3c2-98e46c0b9ab2"])

        let video = offer.media[1]
        #expect(video.payloadTypes == [97, 98, 99, 100, 101, 102])
        #expect(video.rtcpFeedback[97] == ["nack", "nack pli", "goog-remb"])
        #expect(video.associatedPayloadType(of: 98) == 97)
        #expect(video.formatParameters(for: 99)["profile-level-id"] == "42001f")
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [3993055194, 1984375815])])
        #expect(video.ssrcValues == [3993055194, 1984375815])
    }

    @Test func readsTheChromeOffer() throws {
        let offer = try SessionDescription(parsing: Offers.chrome)
        #expect(offer.bundle == ["0", "1"])
        #expect(offer.attributes.contains { $0.name == "extmap-allow-mixed" })

        let audio = offer.media[0]
        #expect(audio.payloadTypes == [111, 63, 9, 0, 8, 13, 110, 126])
        #expect(audio.formatParameters(for: 111) == ["minptime": "10", "useinbandfec": "1"])
        #expect(audio.fmtp[63] == "111/111")
        #expect(audio.codec(for: 63)?.name == "red")
        #expect(audio.rtcpFeedback[111] == ["transport-cc"])
        #expect(audio.iceOptions == ["trickle"])
        #expect(audio.rtcpRsize)
        #expect(audio.candidates.count == 7)
        #expect(!audio.endOfCandidates)

        let video = offer.media[1]
        #expect(video.payloadTypes.count == 27)
        #expect(video.codec(for: 123)?.name == "red")
        #expect(video.codec(for: 125)?.name == "ulpfec")
        #expect(video.associatedPayloadType(of: 124) == 123)
        #expect(video.extensions.first == HeaderExtension(id: 14, uri: "urn:ietf:params:rtp-hdrext:toffset"))
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [3746892314, 822236710])])
        #expect(video.ssrcs.first == SSRCAttribute(ssrc: 3746892314, name: "cname", value: "tcfYxii359Px+p5/"))
        let digest = Fingerprint.bytes(
            hex: "4F:AC:D4:CF:2C:76:3A:A1:B8:1B:F3:83:31:2F:C5:BC:30:21:E0:A4:44:DE:2D:81:B9:BB:99:BC:91:7F:8A:39"
        )
        #expect(video.fingerprints == [Fingerprint(algorithm: .sha256, digest: digest ?? [])])
    }

    @Test func acceptsBareLineFeeds() throws {
        let lineFeeds = SDPText.lines(Offers.chrome).map { $0 + "\n" }.joined()
        #expect(try SessionDescription(parsing: lineFeeds) == SessionDescription(parsing: Offers.chrome))
    }

    @Test func fallsBackToSessionLevelTransportAttributes() throws {
        // Firefox writes its fingerprint once, at session level; RFC 8839 allows the same for ICE credentials.
        let text = """
            v=0\r
            o=mozilla...THIS_IS_SDPARTA-99.0 1 0 IN IP4 0.0.0.0\r
            s=-\r
            t=0 0\r
            a=fingerprint:sha-256 \(Fingerprint.hex(Fixture.digest))\r
            a=ice-ufrag:sessionufrag\r
            a=ice-pwd:sessionpasswordsessionpassword\r
            a=setup:actpass\r
            a=sendonly\r
            a=group:BUNDLE 0\r
            m=audio 9 UDP/TLS/RTP/SAVPF 109\r
            c=IN IP4 0.0.0.0\r
            a=mid:0\r
            a=rtcp-mux\r
            a=rtpmap:109 opus/48000/2\r

            """
        let audio = try SessionDescription(parsing: text).media[0]
        #expect(audio.iceUfrag == "sessionufrag")
        #expect(audio.icePwd == "sessionpasswordsessionpassword")
        #expect(audio.fingerprints == [Fingerprint.sha256(Fixture.digest)])
        #expect(audio.setup == .actpass)
        #expect(audio.direction == .sendonly)
    }

    @Test func refusesTextThatIsNotSDP() {
        #expect(SDPText.error { _ = try SessionDescription(parsing: "") } == .notSDP)
        #expect(SDPText.error { _ = try SessionDescription(parsing: "HTTP/1.1 200 OK\r\n") } == .notSDP)
        #expect(SDPText.error { _ = try SessionDescription(parsing: "v=1\r\nm=audio 9 RTP/AVP 0\r\n") } == .notSDP)
        #expect(SDPError.notSDP.description == "not an SDP description: the first line must be v=0")
    }

    @Test func refusesADescriptionWithoutMedia() {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        #expect(SDPText.error { _ = try SessionDescription(parsing: text) } == .noMediaSections)
    }

    @Test func namesTheMalformedLine() throws {
        let good = "a=rtpmap:96 opus/48000/2"
        let number = try #require(SDPText.lines(Offers.aiortc).firstIndex(of: good)) + 1
        let broken = SDPText.replacing(good, with: "a=rtpmap:96 opus", in: Offers.aiortc)
        let error = SDPText.error { _ = try SessionDescription(parsing: broken) }
        #expect(
            error?.description
                == "line \(number) is malformed: a=rtpmap needs <payload type> <name>/<clock rate>[/<channels>]"
        )
    }

    @Test func refusesALineWithoutTypeAndEquals() {
        let broken = SDPText.replacing("s=-", with: "session", in: Offers.aiortc)
        let error = SDPText.error { _ = try SessionDescription(parsing: broken) }
        #expect(error == .malformedLine(3, "expected <letter>=<value>"))
    }

    @Test func refusesPayloadTypesThatAreNotNumbers() {
        let broken = SDPText.replacing(
            "m=audio 38465 UDP/TLS/RTP/SAVPF 96 9 0 8", with: "m=audio 38465 UDP/TLS/RTP/SAVPF 96 opus",
            in: Offers.aiortc
        )
        let error = SDPText.error { _ = try SessionDescription(parsing: broken) }
        #expect(error == .malformedLine(7, "RTP payload type opus is not a number 0...127"))
    }

    @Test func refusesAnUnknownSetupValue() {
        let odd = SDPText.replacing("a=setup:actpass", with: "a=setup:sometimes", in: Offers.aiortc)
        let error = SDPText.error { _ = try SessionDescription(parsing: odd) }
        #expect(error == .unsupportedSetup("sometimes"))
        #expect(
            error?.description == "a=setup:sometimes is not supported; an offer must say actpass, active or passive"
        )
    }

    @Test func refusesAFingerprintThatIsNotHexPairs() {
        let broken = SDPText.edit(Offers.chrome) {
            $0.hasPrefix("a=fingerprint:") ? "a=fingerprint:sha-256 4F:AC:D" : $0
        }
        let error = SDPText.error { _ = try SessionDescription(parsing: broken) }
        #expect(error?.description.hasSuffix("a=fingerprint needs <hash function> <hex>:<hex>...") == true)
    }
}
