/// The peer's ICE and DTLS parameters for the one transport that every accepted m-section shares.
public struct RemoteTransport: Hashable, Sendable {
    public let iceUfrag: String
    public let icePwd: String
    /// The fingerprints mediamux can check, strongest hash function first. RFC 8122, section 5 asks to check the
    /// certificate with the strongest one offered, which is `fingerprint`.
    public let fingerprints: [Fingerprint]
    /// As offered; nil when the offer has no `a=setup`.
    public let setup: SetupRole?

    public var fingerprint: Fingerprint {
        self.fingerprints[0]
    }

    /// Checks that an accepted section can use the session's transport and returns that transport's parameters.
    ///
    /// `carrier` is the section whose transport the BUNDLE group uses (the section itself when unbundled). A
    /// bundled section may leave ICE, DTLS and rtcp-mux attributes to the carrier: RFC 8843, section 7 lets
    /// `a=bundle-only` sections and later offers omit them. Errors name `section`, the one that would fail.
    init(checking section: MediaSection, mid: String, carrier: MediaSection) throws(SDPError) {
        guard let iceUfrag = section.iceUfrag ?? carrier.iceUfrag else {
            throw SDPError.missingICECredentials(kind: section.kind, mid: mid, attribute: "ice-ufrag")
        }
        guard let icePwd = section.icePwd ?? carrier.icePwd else {
            throw SDPError.missingICECredentials(kind: section.kind, mid: mid, attribute: "ice-pwd")
        }
        let offered = section.fingerprints.isEmpty ? carrier.fingerprints : section.fingerprints
        guard !offered.isEmpty else {
            throw SDPError.missingFingerprint(kind: section.kind, mid: mid)
        }
        var fingerprints: [Fingerprint] = []
        for algorithm in FingerprintAlgorithm.verifiable {
            fingerprints += offered.filter { $0.algorithm == algorithm }
        }
        guard !fingerprints.isEmpty else {
            throw SDPError.unsupportedFingerprintAlgorithm(
                kind: section.kind, mid: mid, offered: offered.map(\.algorithmName)
            )
        }
        guard section.rtcpMux || carrier.rtcpMux else {
            throw SDPError.missingRTCPMux(kind: section.kind, mid: mid)
        }
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprints = fingerprints
        self.setup = section.setup ?? carrier.setup
    }
}
