/// The answer an ICE-lite, DTLS-terminating media server returns to a WebRTC offer, and what it agreed to.
///
/// Build it with `Answer(to:options:)`, send `sdp` to the peer, and configure the session from the rest:
/// `dtlsRole` for the handshake, `remote.fingerprint` to check the peer's certificate, `media` for the payload
/// types and direction of each m-section.
///
/// What the answer says, and why:
/// - `a=ice-lite` at session level: mediamux only answers connectivity checks, so the peer must control ICE.
/// - The offer's first BUNDLE group, reduced to the accepted mids. A session has one transport, so m-sections
///   outside that group, data channels (no SCTP) and sections left without an allowed codec get port 0, keep
///   their mid, and are left out of the group.
/// - Per accepted m-section, in offer order: port 9 and `c=IN IP4 0.0.0.0` (the candidates carry the real
///   address), the mid, mediamux's ICE credentials and fingerprint, `a=setup` from `dtlsRole`, the direction,
///   `a=rtcp-mux`, `a=rtcp-rsize` if offered, the accepted header extensions, rtpmap, rtcp-fb and fmtp of each
///   kept payload type, then every candidate and `a=end-of-candidates`. Candidates go into every accepted
///   m-section, not only the first: aiortc reads them from the last bundled one.
/// - Rejected m-sections also carry the ICE credentials, fingerprint and setup but no candidates: they mean
///   nothing there, but aiortc refuses an answer in which any m-section lacks them.
/// - No `a=ssrc` or `a=msid` lines. The echo handler sends the peer's own packets back, whose SSRCs the peer
///   knows; a peer maps an SSRC it has not seen signaled to its m-section by the mid header extension (kept in
///   `AnswerOptions.defaultHeaderExtensions`) or by payload type. Handlers that send their own streams (room)
///   will have to signal them.
public struct Answer: Sendable {
    /// The answer, with CRLF line ends.
    public let sdp: String
    /// Whether mediamux is the DTLS server (answered `passive`) or client (answered `active`).
    public let dtlsRole: DTLSRole
    /// The peer's ICE credentials and fingerprints, from the m-section that carries the shared transport.
    public let remote: RemoteTransport
    /// The mids of the answer's BUNDLE group; empty when the offer bundles nothing (and so has one usable section).
    public let bundle: [String]
    /// One entry per offered m-section, in offer order.
    public let media: [AnsweredMedia]

    /// Answers `offer`. Throws `SDPError` when the offer cannot be served: a missing or repeated mid, a BUNDLE
    /// group naming unknown mids, no usable audio or video section, several usable sections without BUNDLE, or an
    /// accepted section without ICE credentials, a checkable fingerprint, rtcp-mux, or with `a=setup:holdconn`.
    public init(to offer: SessionDescription, options: AnswerOptions) throws(SDPError) {
        try options.validate()
        let mids = try offer.checkedMids()
        let bundle = try offer.checkedBundle()

        var media: [AnsweredMedia] = []
        for (section, mid) in zip(offer.media, mids) {
            media.append(AnsweredMedia(answering: section, mid: mid, bundle: bundle, options: options))
        }
        let accepted = media.filter(\.isAccepted)
        guard let firstAccepted = accepted.first else {
            throw SDPError.nothingToAnswer
        }
        guard bundle != nil || accepted.count == 1 else {
            throw SDPError.bundleRequired(sections: accepted.count)
        }

        // RFC 8843, section 7: the transport of a BUNDLE group is the one of the first listed mid that is accepted.
        let carrierMid = bundle?.first { mid in accepted.contains { $0.mid == mid } } ?? firstAccepted.mid
        let carrierIndex = accepted.first { $0.mid == carrierMid }?.index ?? firstAccepted.index
        let carrier = offer.media[carrierIndex]
        let remote = try RemoteTransport(checking: carrier, mid: carrierMid, carrier: carrier)
        for answered in accepted where answered.index != carrierIndex {
            _ = try RemoteTransport(checking: offer.media[answered.index], mid: answered.mid, carrier: carrier)
        }
        let dtlsRole = try DTLSRole(answering: remote.setup)
        let answerBundle = bundle.map { group in group.filter { mid in accepted.contains { $0.mid == mid } } }

        self.sdp = Self.write(offer: offer, media: media, bundle: answerBundle, dtlsRole: dtlsRole, options: options)
        self.dtlsRole = dtlsRole
        self.remote = remote
        self.bundle = answerBundle ?? []
        self.media = media
    }
}
