import MuxCore
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A session's plain RTP port: a UDP socket, read by one packet thread like a range port, that sends to
/// one sink and hands what the sink's host sends back to the session's handler. Its traffic is counted under
/// the socket label `rtp_bridge`.
final class PlainUDPPort: PlainPort {
    let local: TransportAddress
    let sink: TransportAddress
    let socket: UDPSocket
    let counters: SocketCounters
    private let sinkAddress: sockaddr_storage
    private let sinkAddressLength: socklen_t
    private let receiver = Mutex<(@Sendable (UnsafeRawBufferPointer) -> Void)?>(nil)
    private let closed = Atomic<Bool>(false)
    /// Stops the thread reading the socket and closes it, soon; set by the transport that opened the port.
    private let release: @Sendable () -> Void

    init(
        socket: UDPSocket, sink: TransportAddress, counters: SocketCounters, release: @escaping @Sendable () -> Void
    ) {
        self.socket = socket
        self.local = socket.local
        self.sink = sink
        self.counters = counters
        var address = sockaddr_storage()
        self.sinkAddressLength = sink.write(to: &address)
        self.sinkAddress = address
        self.release = release
    }

    /// On a packet thread the datagram leaves with the thread's batch; elsewhere at once. Nothing once closed:
    /// the descriptor is about to be given back.
    @discardableResult
    func send(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard !self.closed.load(ordering: .acquiring) else { return false }
        let sent = withUnsafePointer(to: self.sinkAddress) { destination in
            Outbox.send(
                through: Outbox.current, socket: { _ in self.socket }, to: destination, length: self.sinkAddressLength,
                counters: self.counters, capacity: packet.count
            ) { slot in
                slot.copyMemory(from: packet)
                return packet.count
            }
        }
        return sent != nil
    }

    /// Ignored once closed, so that a handler made ready as its session closes does not keep itself alive.
    func onReceive(_ receive: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.receiver.withLock { receiver in
            guard !self.closed.load(ordering: .acquiring) else { return }
            receiver = receive
        }
    }

    /// A datagram the packet thread read from the socket. Only the tool's host may inject media into the
    /// session.
    func deliver(_ datagram: UnsafeRawBufferPointer, from source: TransportAddress, thread: Int) {
        guard source.ip == self.sink.ip else {
            self.counters.dropped(.foreignSource, thread: thread)
            return
        }
        self.receiver.withLock { $0 }?(datagram)
    }

    func close() {
        guard !self.closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.receiver.withLock { $0 = nil }
        self.release()
    }
}
