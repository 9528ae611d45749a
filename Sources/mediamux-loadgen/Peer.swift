import MuxCrypto

/// One simulated client once it is connected: its socket, its SRTP keys, and what it sent and received.
/// `@unchecked Sendable`: made by a setup thread, then touched only by the traffic worker that owns it.
final class Peer: @unchecked Sendable {
    let index: UInt32
    let socket: PeerSocket
    let srtp: SRTPSession
    /// The API session, deleted at the end; nil against the reference forwarder.
    let sessionID: String?
    /// The server's ICE credentials, for consent checks; nil against the reference forwarder.
    let ice: (ufrag: String, password: String)?
    /// Whose packets this peer should receive: itself (echo) or its room partner.
    var source: UInt32

    var sent: UInt64 = 0
    var received: UInt64 = 0
    /// The highest sequence number received from `source`, to count packets that arrive out of order.
    var highestReceived: UInt32?
    var reordered: UInt64 = 0

    init(
        index: UInt32, socket: PeerSocket, srtp: SRTPSession, sessionID: String?,
        ice: (ufrag: String, password: String)?
    ) {
        self.index = index
        self.socket = socket
        self.srtp = srtp
        self.sessionID = sessionID
        self.ice = ice
        self.source = index
    }
}
