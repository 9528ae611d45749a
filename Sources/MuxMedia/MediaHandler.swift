import MuxCore
import NIOCore

/// What a session does with decrypted media: the seam for echo, RTP bridges and room relays behind
/// DTLS-SRTP termination. `SecureMediaHandler` calls it; a library user implements it for their own.
///
/// `handleMedia` runs on the I/O thread that received the packet: keep it short and never block. With more
/// than one I/O thread, or tuples on several sockets, calls for one session may run concurrently. The packet
/// is the decrypted RTP or RTCP in the I/O thread's receive buffer, valid only during the call: copy what
/// you keep.
public protocol MediaHandler: AnyObject, Sendable {
    /// One decrypted RTP or RTCP packet from the session's peer.
    func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool)
    /// DTLS finished and SRTP keys are in place: media can flow both ways.
    func handleMediaReady(sender: any MediaSender)
    func handleClose(reason: CloseReason)
}

extension MediaHandler {
    public func handleMediaReady(sender: any MediaSender) {}
}

/// Sends plaintext RTP or RTCP to the session's peer, encrypted with the session's SRTP keys. The packet is
/// copied once, into the outgoing datagram, and encrypted there.
public protocol MediaSender: AnyObject, Sendable {
    /// False when the packet could not be protected or the session has no path yet. `rewrite` may change
    /// the copy in the outgoing datagram (its length stays) before it is encrypted.
    @discardableResult
    func sendMedia(
        _ packet: UnsafeRawBufferPointer, isRTCP: Bool, rewrite: (UnsafeMutableRawBufferPointer) -> Void
    ) -> Bool
}

extension MediaSender {
    @discardableResult
    public func sendMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) -> Bool {
        self.sendMedia(packet, isRTCP: isRTCP, rewrite: { _ in })
    }

    @discardableResult
    public func sendMedia(_ packet: ByteBuffer, isRTCP: Bool) -> Bool {
        packet.withUnsafeReadableBytes { self.sendMedia($0, isRTCP: isRTCP) }
    }
}
