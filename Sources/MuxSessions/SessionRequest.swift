import MuxCore
import MuxICE
import MuxWire

/// A request for a new session, as the control API passes it on.
public struct SessionRequest: Sendable {
    public var room: String
    public var user: String?
    /// A name registered in the mux's handler table; nil takes the configured default.
    public var handler: String?
    /// The peer's ICE credentials, when the signaling server knows them.
    public var remote: ICECredentials?
    /// The DTLS role and the peer's fingerprint, for handlers that terminate DTLS.
    public var dtls: DTLSParameters
    /// Where the `rtp` bridge sends decrypted media; a plain port is opened for the way back.
    public var rtpSink: TransportAddress?

    public init(
        room: String, user: String? = nil, handler: String? = nil, remote: ICECredentials? = nil,
        dtls: DTLSParameters = .init(), rtpSink: TransportAddress? = nil
    ) {
        self.room = room
        self.user = user
        self.handler = handler
        self.remote = remote
        self.dtls = dtls
        self.rtpSink = rtpSink
    }
}

/// A session that was admitted and bound, with the candidates to signal.
public struct CreatedSession: Sendable {
    public let snapshot: SessionSnapshot
    public let candidates: [HostCandidate]
    /// The plain port an RTP tool sends to, for `rtp` sessions.
    public let plainPort: TransportAddress?
}

/// Why a session could not be created.
public enum SessionCreationError: Error, Sendable, Equatable {
    case refused(AdmissionRefusal)
    case unknownHandler(String)
}
