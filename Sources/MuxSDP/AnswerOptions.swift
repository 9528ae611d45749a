/// What mediamux writes into an answer besides what it mirrors from the offer: its own ICE and DTLS parameters,
/// and the policy of the session's handler.
public struct AnswerOptions: Sendable {
    /// The session's local ICE credentials (RFC 8839, section 5.4), the same for every m-section.
    public var iceUfrag: String
    public var icePwd: String
    /// The fingerprint of mediamux's DTLS certificate, normally `Fingerprint.sha256(digestOfDERCertificate)`.
    public var fingerprint: Fingerprint
    /// Local candidates in SDP syntax without `a=`, e.g. `candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host`.
    /// Every one is written into every accepted m-section.
    public var candidates: [String]
    /// What the handler is willing to do in each m-section; the answer never says more than the offer allows
    /// (see `Direction.answered(willing:)`). Echo and room handlers pass `.sendrecv`, which mirrors the offer: a
    /// sendrecv offer is answered sendrecv, a sendonly offer recvonly. A handler that only receives passes
    /// `.recvonly`.
    public var direction: Direction
    /// Codec names to keep, compared case-insensitively (`["opus", "VP8"]`); nil keeps every offered codec.
    /// RTX (RFC 4588) payload types are kept exactly when the payload type their `apt` names is kept, so "rtx"
    /// need not be listed. An m-section left without a codec is rejected.
    public var codecs: [String]?
    /// Header extension URIs to accept when offered; nil accepts all of them.
    public var headerExtensions: [String]?
    /// The session id of the `o=` line. JSEP (RFC 8829, section 5.2.1) asks for a random 63-bit number.
    public var sessionID: UInt64
    /// For a session whose handler sends the peer's streams back (the echo) under SSRCs of its own, the offer's
    /// XORed with this mask: every SSRC the offer announces in a section, so mapped, is announced as one
    /// mediamux sends in that section (with the offer's SSRC groups, mapped the same way). nil announces none.
    public var returnedSSRCMask: UInt32?

    /// Header extensions that need nothing from mediamux beyond forwarding packets: the mid extension (which the
    /// peer needs to map SSRCs it has not seen signaled to an m-section), audio levels, and the two congestion
    /// control timestamps browsers use.
    public static let defaultHeaderExtensions = [
        HeaderExtension.KnownURI.mid,
        HeaderExtension.KnownURI.audioLevel,
        HeaderExtension.KnownURI.absSendTime,
        HeaderExtension.KnownURI.transportWideCC,
    ]

    public init(
        iceUfrag: String,
        icePwd: String,
        fingerprint: Fingerprint,
        candidates: [String],
        direction: Direction = .sendrecv,
        codecs: [String]? = nil,
        headerExtensions: [String]? = AnswerOptions.defaultHeaderExtensions,
        sessionID: UInt64 = UInt64.random(in: 1...UInt64(Int64.max)),
        returnedSSRCMask: UInt32? = nil
    ) {
        self.returnedSSRCMask = returnedSSRCMask
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.direction = direction
        self.codecs = codecs
        self.headerExtensions = headerExtensions
        self.sessionID = sessionID
    }

    /// Refuses values that would break the answer's line structure. They come from mediamux's own code, but a
    /// broken answer would only fail later, in the browser, with a far less helpful message.
    func validate() throws(SDPError) {
        guard Self.isToken(self.iceUfrag) else {
            throw SDPError.invalidOption("iceUfrag")
        }
        guard Self.isToken(self.icePwd) else {
            throw SDPError.invalidOption("icePwd")
        }
        guard let algorithm = self.fingerprint.algorithm, algorithm.digestLength == self.fingerprint.digest.count
        else {
            throw SDPError.invalidOption("fingerprint")
        }
        for (index, candidate) in self.candidates.enumerated() {
            guard candidate.hasPrefix("candidate:"), !candidate.contains(where: \.isNewline) else {
                throw SDPError.invalidOption("candidates[\(index)]")
            }
        }
    }

    /// Non-empty and without spaces or line breaks.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && !text.contains(where: \.isWhitespace)
    }
}
