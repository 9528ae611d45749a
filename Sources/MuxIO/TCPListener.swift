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
        let family = local.ip.isIPv4 ? AF_INET : AF_INET6
        let descriptor = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket", local, errno) }
        func option(_ level: Int32, _ name: Int32, _ value: Int32) {
            var value = value
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        option(SOL_SOCKET, SO_REUSEADDR, 1)
        if reusePort { option(SOL_SOCKET, SO_REUSEPORT, 1) }
        if !local.ip.isIPv4 { option(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        var address = sockaddr_storage()
        let length = local.write(to: &address)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        guard result == 0, Glibc.listen(descriptor, SOMAXCONN) == 0 else {
            let error = SocketError(result == 0 ? "listen" : "bind", local, errno)
            Glibc.close(descriptor)
            throw error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        let bound = withUnsafePointer(to: &actual) { TransportAddress(storage: $0) } ?? local
        return TCPListener(descriptor: descriptor, local: bound, counters: counters(bound))
    }

    func close() {
        let descriptor = self.fd.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}
