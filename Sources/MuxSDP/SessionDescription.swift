/// A parsed SDP description (RFC 8866) as WebRTC uses it (JSEP, RFC 8829): session-level lines and m-sections.
///
/// Parsing checks syntax only: the lines this module interprets must follow their grammar, anything else is
/// kept as text. Whether mediamux can serve the offer (ICE credentials, fingerprint, rtcp-mux, BUNDLE) is decided
/// by `Answer`, which names the m-section at fault.
public struct SessionDescription: Hashable, Sendable {
    /// The value of the `o=` line, verbatim.
    public var origin: String?
    /// The value of the `s=` line.
    public var sessionName: String?
    public var connection: String?
    /// `a=group` lines, e.g. `BUNDLE 0 1`.
    public var groups: [Group] = []
    /// Session-level `a=ice-options`, e.g. `["trickle"]`.
    public var iceOptions: [String] = []
    public var iceLite = false
    /// Session-level values; `MediaSection` already falls back to them.
    public var iceUfrag: String?
    public var icePwd: String?
    public var fingerprints: [Fingerprint] = []
    public var setup: SetupRole?
    public var direction: Direction?
    /// Every session-level `a=` line in order, including those interpreted above.
    public var attributes: [Attribute] = []
    public var media: [MediaSection] = []

    /// Parses `text`, with CRLF or LF line ends.
    ///
    /// Throws `SDPError.notSDP` unless the first line is `v=0`, `SDPError.malformedLine` for a line that breaks the
    /// grammar of an interpreted attribute, `SDPError.unsupportedSetup` for an unknown `a=setup` value and
    /// `SDPError.noMediaSections` if there is no `m=` line. An offer beyond `SDPLimits` is refused before
    /// any work that grows with it.
    public init(parsing text: String) throws(SDPError) {
        guard text.utf8.count <= SDPLimits.offerBytes else { throw SDPError.tooLarge(bytes: text.utf8.count) }
        for line in try SDPLine.lines(of: text).dropFirst() {
            switch line.type {
            case "m":
                guard self.media.count < SDPLimits.mediaSections else { throw SDPError.tooManySections }
                let section = try MediaSection(line: line, index: self.media.count, session: self)
                self.media.append(section)
            case "a":
                let attribute = Attribute(sdpValue: line.value, line: line.number)
                if self.media.isEmpty {
                    try self.apply(attribute)
                } else {
                    try self.media[self.media.count - 1].apply(attribute)
                }
            case "c":
                if self.media.isEmpty {
                    self.connection = line.value
                } else {
                    self.media[self.media.count - 1].connection = line.value
                }
            case "o" where self.media.isEmpty:
                self.origin = line.value
            case "s" where self.media.isEmpty:
                self.sessionName = line.value
            default:
                // t=, b=, i=, k= and the rest say nothing WebRTC answers depend on.
                break
            }
        }
        guard !self.media.isEmpty else {
            throw SDPError.noMediaSections
        }
        for index in self.media.indices where self.media[index].fingerprints.isEmpty {
            self.media[index].fingerprints = self.fingerprints
        }
    }

    /// The mids of the first `a=group:BUNDLE` line, or nil if the description bundles nothing. mediamux serves
    /// one transport per session, so only the first group can be accepted.
    public var bundle: [String]? {
        self.groups.first(where: \.isBundle)?.mids
    }

    public func section(mid: String) -> MediaSection? {
        self.media.first { $0.mid == mid }
    }

    /// Records one session-level `a=` line.
    private mutating func apply(_ attribute: Attribute) throws(SDPError) {
        self.attributes.append(attribute)
        switch attribute.name {
        case "group":
            self.groups.append(Group(sdpValue: try attribute.requiredValue()))
        case "ice-lite":
            self.iceLite = true
        case "ice-options":
            self.iceOptions = try attribute.requiredValue().split(separator: " ").map(String.init)
        case "ice-ufrag":
            self.iceUfrag = try attribute.requiredValue()
        case "ice-pwd":
            self.icePwd = try attribute.requiredValue()
        case "fingerprint":
            self.fingerprints.append(try attribute.fingerprint())
        case "setup":
            self.setup = try attribute.setupRole()
        case "sendrecv", "sendonly", "recvonly", "inactive":
            self.direction = Direction(rawValue: attribute.name)
        default:
            break
        }
    }
}
