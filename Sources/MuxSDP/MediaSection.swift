/// One m-section of a description: the `m=` line and the lines up to the next one (RFC 8866, section 5.14).
///
/// Transport attributes that may also appear at session level (ICE credentials, fingerprints, `a=setup`,
/// direction) hold the media-level value if there is one and the session-level value otherwise. The fallback to
/// the section that carries a BUNDLE transport happens when answering, because it depends on the group.
public struct MediaSection: Hashable, Sendable {
    /// Position among the m-sections, counted from 0 (`sdpMLineIndex`).
    public var index: Int
    /// Number of the `m=` line in the parsed text, counted from 1.
    public var line: Int
    public var kind: MediaKind
    public var port: UInt16
    /// The transport protocol, `UDP/TLS/RTP/SAVPF` for WebRTC media.
    public var proto: String
    /// The format tokens of the `m=` line: payload types for RTP, `webrtc-datachannel` for data channels.
    public var formats: [String]
    public var connection: String?

    public var mid: String?
    public var direction: Direction = .sendrecv
    public var iceUfrag: String?
    public var icePwd: String?
    public var iceOptions: [String] = []
    /// All fingerprints; an offer may give several hash functions for one certificate (aiortc gives three).
    public var fingerprints: [Fingerprint] = []
    public var setup: SetupRole?
    public var rtcpMux = false
    public var rtcpRsize = false
    /// RFC 8843, section 6: the section has port 0 only because it may be used bundled and nowhere else.
    public var bundleOnly = false

    public var rtpMaps: [UInt8: RTPMap] = [:]
    /// The raw parameter text of each `a=fmtp`, e.g. `minptime=10;useinbandfec=1`; see `formatParameters(for:)`.
    public var fmtp: [UInt8: String] = [:]
    /// The values of `a=rtcp-fb` by payload type, e.g. `["nack", "nack pli"]`.
    public var rtcpFeedback: [UInt8: [String]] = [:]
    /// The values of `a=rtcp-fb:*`, which apply to every payload type of the section.
    public var rtcpFeedbackForAll: [String] = []
    public var extensions: [HeaderExtension] = []
    public var ssrcs: [SSRCAttribute] = []
    public var ssrcGroups: [SSRCGroup] = []
    /// The values of `a=msid` lines (RFC 8830): `<stream id> [<track id>]`.
    public var msid: [String] = []
    /// The offer's own candidates, in SDP syntax without `a=` (`candidate:...`).
    public var candidates: [String] = []
    public var endOfCandidates = false
    /// Every `a=` line of the section in order, including those interpreted above.
    public var attributes: [Attribute] = []

    public init(index: Int, line: Int, kind: MediaKind, port: UInt16, proto: String, formats: [String]) {
        self.index = index
        self.line = line
        self.kind = kind
        self.port = port
        self.proto = proto
        self.formats = formats
    }

    /// Port 0 rejects a section (RFC 3264, section 6), unless `a=bundle-only` asks for it to be bundled.
    public var isRejected: Bool {
        self.port == 0 && !self.bundleOnly
    }

    /// Whether the protocol carries RTP, in which case every format is a payload type.
    public var isRTP: Bool {
        self.proto.split(separator: "/").contains("RTP")
    }

    /// The payload types of the `m=` line in offer order (its order of preference).
    public var payloadTypes: [UInt8] {
        self.isRTP ? self.formats.compactMap { UInt8($0) } : []
    }

    /// The distinct SSRCs of the `a=ssrc` lines, in order of appearance.
    public var ssrcValues: [UInt32] {
        var seen: Set<UInt32> = []
        return self.ssrcs.map(\.ssrc).filter { seen.insert($0).inserted }
    }
}
