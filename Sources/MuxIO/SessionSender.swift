import MuxCore
import MuxICE
import MuxWire
import NIOCore
import Synchronization

/// Sends a session's datagrams to its selected 5-tuple, from the socket that tuple arrived on.
/// NIO's address for the tuple is built once and reused until the selection moves.
final class SessionSender: DatagramSender {
    private let id: SessionID
    private let router: SessionRouter
    private let registry: SocketRegistry
    private let counters: SessionCounters
    private let cachedAddress = Mutex<(FiveTuple, SocketAddress)?>(nil)
    private let closer: @Sendable (SessionID, CloseReason) -> Void

    init(
        id: SessionID, router: SessionRouter, registry: SocketRegistry, counters: SessionCounters,
        closer: @escaping @Sendable (SessionID, CloseReason) -> Void
    ) {
        self.id = id
        self.router = router
        self.registry = registry
        self.counters = counters
        self.closer = closer
    }

    func closeSession(reason: CloseReason) {
        self.closer(self.id, reason)
    }

    var hasPath: Bool {
        self.router.selectedTuple(of: self.id) != nil
    }

    @discardableResult
    func send(_ datagram: ByteBuffer) -> Bool {
        guard let tuple = self.router.selectedTuple(of: self.id), let socket = self.registry.socket(tuple.socket) else {
            return false
        }
        let address = self.cachedAddress.withLock { cached in
            if let cached, cached.0 == tuple { return cached.1 }
            let address = SocketAddress(tuple.remote)
            cached = (tuple, address)
            return address
        }
        let bytes = datagram.readableBytes
        let packetClass = datagram.withUnsafeReadableBytes { PacketClass(datagram: $0) }
        // Counted before the write so counters never lag what a peer has already seen.
        socket.counters.sent(packetClass, bytes: bytes)
        self.counters.recordOutbound(bytes: bytes)
        socket.channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
        return true
    }
}
