import MuxCore
import Synchronization

/// Returns every decrypted RTP and RTCP packet to the same peer, re-encrypted, under SSRCs of its own
/// (`EchoSSRCMask`, announced in the answer): a browser sees its own camera. The connectivity test of a
/// deployment.
public final class EchoMediaHandler: MediaHandler {
    private let sender = Mutex<(any MediaSender)?>(nil)
    private let mask: EchoSSRCMask

    public init(mask: EchoSSRCMask) {
        self.mask = mask
    }

    public func handleMediaReady(sender: any MediaSender) {
        self.sender.withLock { $0 = sender }
    }

    public func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        let mask = self.mask
        self.sender.withLock { $0 }?.sendMedia(packet, isRTCP: isRTCP) { copy in
            if isRTCP { mask.rewriteRTCP(copy) } else { mask.rewriteRTP(copy) }
        }
    }

    public func handleClose(reason: CloseReason) {
        self.sender.withLock { $0 = nil }
    }
}
