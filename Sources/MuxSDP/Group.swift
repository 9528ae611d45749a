/// One session-level `a=group` line (RFC 5888, section 5): `<semantics> <mid>...`, e.g. `BUNDLE 0 1`.
public struct Group: Hashable, Sendable {
    public var semantics: String
    /// May be empty: the grammar allows it, and the answer reports it as `SDPError.bundleWithoutMids`.
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", omittingEmptySubsequences: true)
        self.init(semantics: parts.first.map { String($0) } ?? "", mids: parts.dropFirst().map { String($0) })
    }

    /// RFC 8843: the m-sections listed share one transport.
    public var isBundle: Bool {
        self.semantics == "BUNDLE"
    }
}
