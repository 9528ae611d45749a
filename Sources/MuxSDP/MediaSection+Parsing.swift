extension MediaSection {
    /// Starts a section at its `m=` line: `<media> <port>[/<number of ports>] <proto> <fmt> ...`.
    ///
    /// `session` supplies the defaults for attributes that may be written at session level; session-level lines
    /// all come before the first `m=` line, so they are known here. Fingerprints are the exception (a media-level
    /// list replaces the session-level one instead of adding to it) and are filled in by the parser at the end.
    init(line: SDPLine, index: Int, session: SessionDescription) throws(SDPError) {
        let tokens = line.value.split(separator: " ", omittingEmptySubsequences: true)
        guard tokens.count >= 4 else {
            throw SDPError.malformedLine(line.number, "an m= line needs <media> <port> <proto> <format>...")
        }
        let portText = tokens[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let port = UInt16(portText) else {
            throw SDPError.malformedLine(line.number, "the port of an m= line must be 0...65535")
        }
        // A format named twice is one format; the answer lists each once.
        var seen = Set<Substring>()
        let formats = tokens.dropFirst(3).filter { seen.insert($0).inserted }
        guard formats.count <= SDPLimits.formatsPerSection else { throw SDPError.tooManyFormats(line: line.number) }
        self.init(
            index: index, line: line.number, kind: MediaKind(tokens[0]), port: port, proto: String(tokens[2]),
            formats: formats.map(String.init)
        )
        if self.isRTP {
            for format in self.formats where UInt8(format).map({ $0 > 127 }) ?? true {
                throw SDPError.malformedLine(line.number, "RTP payload type \(format) is not a number 0...127")
            }
        }
        self.direction = session.direction ?? .sendrecv
        self.iceUfrag = session.iceUfrag
        self.icePwd = session.icePwd
        self.iceOptions = session.iceOptions
        self.setup = session.setup
    }

    /// Records one media-level `a=` line. Attributes this module does not interpret are only kept in `attributes`;
    /// those it does interpret must follow their grammar, because the answer is built from them.
    mutating func apply(_ attribute: Attribute) throws(SDPError) {
        self.attributes.append(attribute)
        let number = attribute.line
        switch attribute.name {
        case "mid":
            self.mid = try attribute.requiredValue()
        case "sendrecv", "sendonly", "recvonly", "inactive":
            self.direction = Direction(rawValue: attribute.name) ?? .sendrecv
        case "ice-ufrag":
            self.iceUfrag = try attribute.requiredValue()
        case "ice-pwd":
            self.icePwd = try attribute.requiredValue()
        case "ice-options":
            self.iceOptions = try attribute.requiredValue().split(separator: " ").map(String.init)
        case "fingerprint":
            self.fingerprints.append(try attribute.fingerprint())
        case "setup":
            self.setup = try attribute.setupRole()
        case "rtcp-mux":
            self.rtcpMux = true
        case "rtcp-rsize":
            self.rtcpRsize = true
        case "bundle-only":
            self.bundleOnly = true
        case "rtpmap":
            guard let map = RTPMap(sdpValue: try attribute.requiredValue()) else {
                throw SDPError.malformedLine(number, "a=rtpmap needs <payload type> <name>/<clock rate>[/<channels>]")
            }
            self.rtpMaps[map.payloadType] = map
        case "fmtp":
            try self.applyFormatParameters(attribute)
        case "rtcp-fb":
            try self.applyFeedback(attribute)
        case "extmap":
            guard let header = HeaderExtension(sdpValue: try attribute.requiredValue()) else {
                throw SDPError.malformedLine(number, "a=extmap needs <id>[/<direction>] <uri>")
            }
            self.extensions.append(header)
        case "ssrc":
            guard let ssrc = SSRCAttribute(sdpValue: try attribute.requiredValue()) else {
                throw SDPError.malformedLine(number, "a=ssrc needs <ssrc> <attribute>[:<value>]")
            }
            self.ssrcs.append(ssrc)
        case "ssrc-group":
            guard let group = SSRCGroup(sdpValue: try attribute.requiredValue()) else {
                throw SDPError.malformedLine(number, "a=ssrc-group needs <semantics> <ssrc>...")
            }
            self.ssrcGroups.append(group)
        case "msid":
            self.msid.append(try attribute.requiredValue())
        case "candidate":
            let candidate = try attribute.requiredValue()
            self.candidates.append("candidate:" + candidate)
        case "end-of-candidates":
            self.endOfCandidates = true
        default:
            break
        }
    }

    /// `a=fmtp:<format> <parameters>`. Sections that do not carry RTP (old data channel offers) may name formats
    /// that are not payload types; those lines are only kept in `attributes`.
    private mutating func applyFormatParameters(_ attribute: Attribute) throws(SDPError) {
        let parts = try attribute.requiredValue().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let payloadType = parts.first.flatMap({ UInt8($0) }), payloadType <= 127 else {
            if self.isRTP {
                throw SDPError.malformedLine(attribute.line, "a=fmtp needs <payload type> <parameters>")
            }
            return
        }
        self.fmtp[payloadType] = parts.count == 2 ? String(parts[1]) : ""
    }

    /// `a=rtcp-fb:<payload type or *> <type> [<parameters>]` (RFC 4585, section 4.2).
    private mutating func applyFeedback(_ attribute: Attribute) throws(SDPError) {
        let parts = try attribute.requiredValue().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw SDPError.malformedLine(attribute.line, "a=rtcp-fb needs <payload type> <feedback>")
        }
        let feedback = String(parts[1])
        if parts[0] == "*" {
            self.rtcpFeedbackForAll.append(feedback)
        } else if let payloadType = UInt8(parts[0]), payloadType <= 127 {
            self.rtcpFeedback[payloadType, default: []].append(feedback)
        } else {
            throw SDPError.malformedLine(attribute.line, "a=rtcp-fb needs a payload type 0...127 or *")
        }
    }
}
