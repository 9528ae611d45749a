extension Answer {
    /// Writes the answer text; the decisions are all made by the time this runs.
    static func write(
        offer: SessionDescription,
        media: [AnsweredMedia],
        bundle: [String]?,
        dtlsRole: DTLSRole,
        options: AnswerOptions
    ) -> String {
        var writer = SDPWriter()
        writer.line("v", "0")
        // The address is a placeholder; RFC 8866, section 5.2 allows any, and JSEP uses this one.
        writer.line("o", "- \(options.sessionID) 2 IN IP4 127.0.0.1")
        writer.line("s", "-")
        writer.line("t", "0 0")
        writer.attribute("ice-lite")
        if let bundle {
            writer.attribute("group", (["BUNDLE"] + bundle).joined(separator: " "))
        }
        writer.attribute("msid-semantic", "WMS *")
        for answered in media {
            let section = offer.media[answered.index]
            if answered.isAccepted {
                Self.writeAccepted(section, answered, dtlsRole: dtlsRole, options: options, to: &writer)
            } else {
                Self.writeRejected(section, answered, dtlsRole: dtlsRole, options: options, to: &writer)
            }
        }
        return writer.text
    }

    private static func writeAccepted(
        _ section: MediaSection,
        _ answered: AnsweredMedia,
        dtlsRole: DTLSRole,
        options: AnswerOptions,
        to writer: inout SDPWriter
    ) {
        let formats = answered.payloadTypes.map { String($0) }.joined(separator: " ")
        writer.line("m", "\(section.kind) 9 \(section.proto) \(formats)")
        writer.line("c", "IN IP4 0.0.0.0")
        writer.attribute("mid", answered.mid)
        Self.writeTransport(dtlsRole: dtlsRole, options: options, to: &writer)
        writer.attribute(answered.direction.rawValue)
        writer.attribute("rtcp-mux")
        if section.rtcpRsize {
            writer.attribute("rtcp-rsize")
        }
        let acceptedURIs = options.headerExtensions.map { Set($0) }
        for header in section.extensions where acceptedURIs?.contains(header.uri) ?? true {
            // Same id and URI; extension attributes are dropped (aiortc cannot parse them in an answer), and an
            // offered direction is answered reversed.
            let id = header.direction.map { "\(header.id)/\($0.reversed.rawValue)" } ?? "\(header.id)"
            writer.attribute("extmap", "\(id) \(header.uri)")
        }
        for payloadType in answered.payloadTypes {
            // rtpmap first: parsers such as aiortc's look the codec up when they meet its fmtp.
            if let codec = section.codec(for: payloadType) {
                writer.attribute("rtpmap", codec.sdpValue)
            }
            for feedback in section.rtcpFeedback[payloadType] ?? [] {
                writer.attribute("rtcp-fb", "\(payloadType) \(feedback)")
            }
            if let parameters = section.fmtp[payloadType], !parameters.isEmpty {
                writer.attribute("fmtp", "\(payloadType) \(parameters)")
            }
        }
        for feedback in section.rtcpFeedbackForAll {
            writer.attribute("rtcp-fb", "* \(feedback)")
        }
        if let mask = options.returnedSSRCMask, answered.direction.sends {
            Self.writeEchoedSSRCs(section, mask: mask, mid: answered.mid, to: &writer)
        }
        for candidate in options.candidates {
            writer.line("a", candidate)
        }
        writer.attribute("end-of-candidates")
    }

    /// The offer's SSRCs as the echo sends them back (`AnswerOptions.returnedSSRCMask`), in a stream of their own.
    private static func writeEchoedSSRCs(_ section: MediaSection, mask: UInt32, mid: String, to writer: inout SDPWriter)
    {
        let ssrcs = section.ssrcValues
        guard !ssrcs.isEmpty else { return }
        let track = "echo-\(mid)"
        writer.attribute("msid", "mediamux-echo \(track)")
        for group in section.ssrcGroups where group.ssrcs.allSatisfy(ssrcs.contains) {
            writer.attribute(
                "ssrc-group", ([group.semantics] + group.ssrcs.map { String($0 ^ mask) }).joined(separator: " "))
        }
        for ssrc in ssrcs {
            writer.attribute("ssrc", "\(ssrc ^ mask) cname:mediamux-echo")
            writer.attribute("ssrc", "\(ssrc ^ mask) msid:mediamux-echo \(track)")
        }
    }

    /// Port 0 and the offer's formats, as RFC 3264, section 6 asks, with the mid so the peer can match it.
    private static func writeRejected(
        _ section: MediaSection,
        _ answered: AnsweredMedia,
        dtlsRole: DTLSRole,
        options: AnswerOptions,
        to writer: inout SDPWriter
    ) {
        writer.line("m", "\(section.kind) 0 \(section.proto) \(section.formats.joined(separator: " "))")
        writer.line("c", "IN IP4 0.0.0.0")
        writer.attribute("mid", answered.mid)
        Self.writeTransport(dtlsRole: dtlsRole, options: options, to: &writer)
    }

    private static func writeTransport(dtlsRole: DTLSRole, options: AnswerOptions, to writer: inout SDPWriter) {
        writer.attribute("ice-ufrag", options.iceUfrag)
        writer.attribute("ice-pwd", options.icePwd)
        writer.attribute("fingerprint", options.fingerprint.sdpValue)
        writer.attribute("setup", dtlsRole.setup.rawValue)
    }
}
