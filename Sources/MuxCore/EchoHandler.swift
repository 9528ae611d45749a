import MuxICE
import MuxWire
import NIOCore

/// Sends every datagram back to the peer on the session's selected tuple: the connectivity test.
/// Until DTLS-SRTP terminates in the mux, it echoes the datagrams as they arrived.
public final class EchoHandler: SessionHandler {
    private let sender: any DatagramSender

    public init(context: SessionContext) {
        self.sender = context.sender
    }

    public func handleDatagram(_ datagram: ByteBuffer, class packetClass: PacketClass, from tuple: FiveTuple) {
        self.sender.send(datagram)
    }

    public func handleClose(reason: CloseReason) {}
}

/// Accepts media and does nothing with it; the session still counts it.
public final class DiscardHandler: SessionHandler {
    public init() {}
    public func handleDatagram(_ datagram: ByteBuffer, class packetClass: PacketClass, from tuple: FiveTuple) {}
    public func handleClose(reason: CloseReason) {}
}
