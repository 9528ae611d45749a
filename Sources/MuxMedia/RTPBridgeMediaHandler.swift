import MuxCore
import MuxWire

/// A gateway to plain RTP: decrypted RTP and RTCP go to the session's sink, and plain RTP/RTCP that the
/// tool sends to the session's local port is encrypted and sent to the peer. So GStreamer or ffmpeg can
/// record a browser's stream, or feed one to it.
public final class RTPBridgeMediaHandler: MediaHandler {
    private let port: any PlainPort

    public init(port: any PlainPort) {
        self.port = port
    }

    public func handleMediaReady(sender: any MediaSender) {
        self.port.onReceive { packet in
            let packetClass = PacketClass(datagram: packet)
            guard packetClass == .rtp || packetClass == .rtcp else { return }
            sender.sendMedia(packet, isRTCP: packetClass == .rtcp)
        }
    }

    public func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        self.port.send(packet)
    }

    public func handleClose(reason: CloseReason) {
        self.port.close()
    }
}
