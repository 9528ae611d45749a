import MuxCrypto

/// An empty RTCP receiver report, as SRTCP: what a peer sends while it has no media yet. Browsers send RTCP
/// from the end of DTLS on, at least every few seconds; the load generator's peers do the same while the
/// others are set up. What comes back is drained with the setup's consent answers.
enum ReceiverReport {
    static func send(over socket: PeerSocket, srtp: SRTPSession, ssrc: UInt32) {
        var packet = [UInt8](repeating: 0, count: 8 + SRTPContext.maxTrailer)
        packet[0] = 0x80
        packet[1] = 201
        packet[3] = 1
        packet[4] = UInt8(truncatingIfNeeded: ssrc >> 24)
        packet[5] = UInt8(truncatingIfNeeded: ssrc >> 16)
        packet[6] = UInt8(truncatingIfNeeded: ssrc >> 8)
        packet[7] = UInt8(truncatingIfNeeded: ssrc)
        let protected = packet.withUnsafeMutableBytes { srtp.outbound.protect($0, length: 8, isRTCP: true) }
        if case .success(let length) = protected { socket.send(Array(packet.prefix(length))) }
    }
}
