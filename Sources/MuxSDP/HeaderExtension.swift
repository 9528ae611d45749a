/// One `a=extmap` line (RFC 8285, section 8): `<id>[/<direction>] <uri> [<extension attributes>]`.
public struct HeaderExtension: Hashable, Sendable {
    /// 1...14 for one-byte headers, up to 255 with two-byte headers (and 4096...4351 in offers that let the
    /// answerer pick, which WebRTC does not use).
    public var id: UInt16
    public var direction: Direction?
    public var uri: String
    public var attributes: String?

    public init(id: UInt16, direction: Direction? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }

    /// Parses the value after `a=extmap:`; nil if the id is not a number or the URI is missing.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else {
            return nil
        }
        let idAndDirection = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(idAndDirection.count), let id = UInt16(idAndDirection[0]), id > 0 else {
            return nil
        }
        var direction: Direction?
        if idAndDirection.count == 2 {
            guard let parsed = Direction(rawValue: String(idAndDirection[1])) else {
                return nil
            }
            direction = parsed
        }
        self.init(
            id: id, direction: direction, uri: String(parts[1]), attributes: parts.count == 3 ? String(parts[2]) : nil
        )
    }

    /// Header extensions whose meaning does not depend on a feature mediamux would have to implement, and
    /// which browsers use for demultiplexing, audio levels and congestion control.
    public enum KnownURI {
        public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
        public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
        public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
        public static let transportWideCC =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    }
}
