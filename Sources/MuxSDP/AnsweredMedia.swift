/// How one offered m-section was answered: accepted with some payload types and a direction, or rejected (port 0)
/// for a reason a log line can name.
public struct AnsweredMedia: Hashable, Sendable {
    public enum Rejection: String, Hashable, Sendable {
        /// The offer itself has port 0 without `a=bundle-only`.
        case rejectedByOffer = "rejected_by_offer"
        /// Not audio or video; data channels would need SCTP, which mediamux does not terminate.
        case unsupportedKind = "unsupported_kind"
        /// Not `UDP/TLS/RTP/SAVPF` or `UDP/TLS/RTP/SAVP`, so not DTLS-SRTP over UDP.
        case unsupportedProtocol = "unsupported_protocol"
        /// Outside the BUNDLE group whose transport the session uses.
        case outsideBundle = "outside_bundle"
        /// No offered codec is in the allow-list.
        case noAllowedCodec = "no_allowed_codec"
    }

    public let index: Int
    public let mid: String
    public let kind: MediaKind
    /// Nil when the section is accepted.
    public let rejection: Rejection?
    /// `.inactive` when rejected.
    public let direction: Direction
    /// The payload types the answer lists, in offer order; empty when rejected. Media with other payload types
    /// was not agreed on.
    public let payloadTypes: [UInt8]

    public var isAccepted: Bool {
        self.rejection == nil
    }

    /// The protocols of DTLS-SRTP over UDP (RFC 5764, section 8), with and without RTCP feedback.
    static let supportedProtocols: Set<String> = ["UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP"]

    /// Decides one section. `bundle` is the offer's first BUNDLE group, or nil if it has none.
    init(answering section: MediaSection, mid: String, bundle: [String]?, options: AnswerOptions) {
        self.index = section.index
        self.mid = mid
        self.kind = section.kind
        let payloadTypes = section.payloadTypes(allowing: options.codecs)
        let rejection: Rejection? =
            if section.isRejected {
                .rejectedByOffer
            } else if !section.kind.isRTP {
                .unsupportedKind
            } else if !Self.supportedProtocols.contains(section.proto) {
                .unsupportedProtocol
            } else if let bundle, !bundle.contains(mid) {
                .outsideBundle
            } else if payloadTypes.isEmpty {
                .noAllowedCodec
            } else {
                nil
            }
        self.rejection = rejection
        self.direction = rejection == nil ? section.direction.answered(willing: options.direction) : .inactive
        self.payloadTypes = rejection == nil ? payloadTypes : []
    }
}
