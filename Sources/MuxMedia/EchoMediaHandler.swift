import MuxCore
import Synchronization

/// Returns every decrypted RTP and RTCP packet to the same peer, re-encrypted: a browser sees its own
/// camera. The connectivity test of a deployment.
public final class EchoMediaHandler: MediaHandler {
    private let sender = Mutex<(any MediaSender)?>(nil)

    public init() {}

    public func handleMediaReady(sender: any MediaSender) {
        self.sender.withLock { $0 = sender }
    }

    public func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        self.sender.withLock { $0 }?.sendMedia(packet, isRTCP: isRTCP)
    }

    public func handleClose(reason: CloseReason) {
        self.sender.withLock { $0 = nil }
    }
}
