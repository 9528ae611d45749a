import MuxICE
import MuxWire

/// `datagram_echo`: sends every datagram back as it arrived, without DTLS, on the session's selected tuple.
/// An ICE-level loopback for diagnostics; the media `echo` handler lives in MuxMedia.
public final class EchoHandler: SessionHandler {
    private let sender: any DatagramSender

    public init(context: SessionContext) {
        self.sender = context.sender
    }

    public func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {
        self.sender.send(UnsafeRawBufferPointer(datagram))
    }

    public func handleClose(reason: CloseReason) {}
}

/// Accepts media and does nothing with it; the session still counts it.
public final class DiscardHandler: SessionHandler {
    public init() {}
    public func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {}
    public func handleClose(reason: CloseReason) {}
}
