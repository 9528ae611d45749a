import MuxICE
import MuxWire

/// Builds connectivity checks as a controlling full ICE agent sends them (see `ControllingCheck`).
public enum CheckRequest {
    public static func make(
        localUfrag: String, password: String, remoteUfrag: String = "peer",
        useCandidate: Bool = false, claimControlled: Bool = false,
        integrity: Bool = true, fingerprint: Bool = true, priority: Bool = true,
        transactionID: STUNTransactionID = .random()
    ) -> [UInt8] {
        ControllingCheck.make(
            ufrag: localUfrag, password: password, peerUfrag: remoteUfrag, nominate: useCandidate,
            claimControlled: claimControlled, integrity: integrity, fingerprint: fingerprint, priority: priority,
            transactionID: transactionID
        )
    }

    public static func make(for credentials: ICECredentials, useCandidate: Bool = false) -> [UInt8] {
        self.make(localUfrag: credentials.ufrag, password: credentials.password, useCandidate: useCandidate)
    }

    /// A minimal RTP packet: version 2, payload type 96.
    public static let rtp: [UInt8] = [0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42] + Array(repeating: 0xAB, count: 20)
}
