import MuxWire

/// Connectivity checks as a controlling full ICE agent sends them to an ICE-lite server: what browsers send,
/// and what mediamux's load generator and tests send. mediamux itself never sends checks.
public enum ControllingCheck {
    /// A Binding request for the server's `ufrag` and `password`: USERNAME `ufrag:peerUfrag`, PRIORITY,
    /// ICE-CONTROLLING, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY and FINGERPRINT. The switches
    /// leave parts out or claim the wrong role, for tests of refusals.
    public static func make(
        ufrag: String, password: String, peerUfrag: String = "peer", nominate: Bool = false,
        claimControlled: Bool = false, integrity: Bool = true, fingerprint: Bool = true, priority: Bool = true,
        transactionID: STUNTransactionID = .random()
    ) -> [UInt8] {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: transactionID)
        builder.appendUsername("\(ufrag):\(peerUfrag)")
        if priority { builder.appendPriority(1_853_824_767) }
        if claimControlled {
            builder.appendICEControlled(tieBreaker: 7)
        } else {
            builder.appendICEControlling(tieBreaker: 7)
        }
        if nominate { builder.appendUseCandidate() }
        return builder.finish(
            integrity: integrity ? STUNIntegrityKey(password: password) : nil, fingerprint: fingerprint)
    }
}
