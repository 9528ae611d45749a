import CMuxSockets
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A passive ICE-TCP socket on one local address, read by one packet thread. Each packet thread listens on
/// every address with a socket of its own (SO_REUSEPORT), so the kernel spreads new connections over them
/// and each connection stays on the thread that accepted it.
final class TCPListener: Sendable {
    let local: TransportAddress
    let counters: TCPConnectionCounters
    private let fd: Atomic<Int32>

    var descriptor: Int32 { self.fd.load(ordering: .acquiring) }

    private init(descriptor: Int32, local: TransportAddress, counters: TCPConnectionCounters) {
        self.fd = Atomic(descriptor)
        self.local = local
        self.counters = counters
    }

    deinit { self.close() }

    /// A listening socket on `local`. With `reusePort` several share the address; SO_REUSEADDR lets a restart
    /// listen again while old connections sit in TIME_WAIT.
    /// `counters` are made for the address as bound (the kernel's port for 0).
    static func listen(
        _ local: TransportAddress, reusePort: Bool, counters: (TransportAddress) -> TCPConnectionCounters
    ) throws(SocketError) -> TCPListener {
        var options = [BoundSocket.Option.enabled(SO_REUSEADDR)]
        if reusePort { options.append(.enabled(SO_REUSEPORT)) }
        let (descriptor, bound) = try BoundSocket.open(SOCK_STREAM, on: local, options: options)
        guard Glibc.listen(descriptor, SOMAXCONN) == 0 else {
            let error = SocketError("listen", local, errno)
            Glibc.close(descriptor)
            throw error
        }
        return TCPListener(descriptor: descriptor, local: bound, counters: counters(bound))
    }

    func close() {
        let descriptor = self.fd.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}
