import Foundation
import MuxICE
import Synchronization

/// Keeps the peers that are already connected alive while the rest are still being set up: a browser sends
/// consent checks and RTCP from the moment ICE and DTLS are done, and a setup of 10,000 peers takes longer than mediamux's
/// consent timeout. Their answers are not part of the measurement: `discardAnswers` drops them before
/// traffic starts.
final class SetupKeepAlive: Sendable {
    private let connected = Mutex<[(peer: Peer, lastCheck: ContinuousClock.Instant)]>([])
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(interval: Duration) {
        Thread { [self] in self.run(every: interval) }.start()
    }

    private func run(every interval: Duration) {
        while self.stopped.wait(timeout: .now() + 0.2) == .timedOut {
            let now = ContinuousClock.now
            let due = self.connected.withLock { peers in
                peers.indices.filter { now - peers[$0].lastCheck >= interval }.map { index in
                    peers[index].lastCheck = now
                    return peers[index].peer
                }
            }
            for peer in due {
                Self.sendCheck(from: peer)
                ReceiverReport.send(over: peer.socket, srtp: peer.srtp, ssrc: peer.index)
            }
        }
        self.finished.signal()
    }

    func add(_ peer: Peer) {
        self.connected.withLock { $0.append((peer, .now)) }
    }

    /// Stops checking, and drops the answers queued on every peer's socket.
    func stop() {
        self.stopped.signal()
        self.finished.wait()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer { buffer.deallocate() }
        for (peer, _) in self.connected.withLock({ $0 }) {
            while peer.socket.receive(into: buffer) != nil {}
        }
    }

    static func sendCheck(from peer: Peer) {
        guard let ice = peer.ice else { return }
        peer.socket.send(ControllingCheck.make(ufrag: ice.ufrag, password: ice.password, peerUfrag: "loadgen"))
    }
}
