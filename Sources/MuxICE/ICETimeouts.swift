/// How long a session may wait for ICE, keep going without consent, or live at all.
public struct ICETimeouts: Sendable, Equatable {
    /// A session with no nominated pair is closed this long after creation.
    public var connect: Duration = .seconds(30)
    /// A connected session with no authenticated check for this long has lost consent (RFC 7675).
    public var consent: Duration = .seconds(30)
    /// No session lives longer than this.
    public var maxDuration: Duration = .seconds(24 * 3600)

    public init(
        connect: Duration = .seconds(30), consent: Duration = .seconds(30), maxDuration: Duration = .seconds(86_400)
    ) {
        self.connect = connect
        self.consent = consent
        self.maxDuration = maxDuration
    }
}
