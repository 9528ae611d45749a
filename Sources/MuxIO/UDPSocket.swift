import CMuxSockets
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket bound to one local address, owned by one I/O thread. With `reusePort`
/// several sockets share an address and port (SO_REUSEPORT): each I/O thread reads its own, the kernel
/// spreads peers over them by 4-tuple, and a reply sent on any of them leaves from the same address.
final class UDPSocket: Sendable {
    let local: TransportAddress
    private let fd: Atomic<Int32>

    /// -1 once closed.
    var descriptor: Int32 { self.fd.load(ordering: .acquiring) }

    private init(descriptor: Int32, local: TransportAddress) {
        self.fd = Atomic(descriptor)
        self.local = local
    }

    deinit { self.close() }

    static func bind(_ local: TransportAddress, reusePort: Bool, bufferBytes: Int) throws(SocketError) -> UDPSocket {
        let family = local.ip.isIPv4 ? AF_INET : AF_INET6
        let descriptor = socket(
            family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket", local, errno) }
        func option(_ level: Int32, _ name: Int32, _ value: Int32) {
            var value = value
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        if reusePort { option(SOL_SOCKET, SO_REUSEPORT, 1) }
        if !local.ip.isIPv4 { option(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        let buffer = Int32(clamping: bufferBytes)
        option(SOL_SOCKET, SO_RCVBUF, buffer)
        option(SOL_SOCKET, SO_SNDBUF, buffer)
        var address = sockaddr_storage()
        let length = local.write(to: &address)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let error = SocketError("bind", local, errno)
            Glibc.close(descriptor)
            throw error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        return UDPSocket(
            descriptor: descriptor, local: withUnsafePointer(to: &actual) { TransportAddress(storage: $0) } ?? local)
    }

    /// Linux reports twice the size it granted (the rest is bookkeeping).
    var grantedReceiveBufferBytes: Int {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(self.descriptor, SOL_SOCKET, SO_RCVBUF, &value, &length) == 0 else { return 0 }
        return Int(value) / 2
    }

    /// Datagrams the kernel dropped because the receive buffer was full, since the socket opened; -1 once
    /// closed.
    var kernelDrops: Int {
        Int(mm_socket_drops(self.descriptor))
    }

    /// Sends one datagram at once, from any thread; false when the kernel refused it.
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, to address: UnsafePointer<sockaddr_storage>, length: socklen_t) -> Bool {
        let sent = address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(self.descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, length)
        }
        return sent == bytes.count
    }

    /// Closes the descriptor once; later sends fail instead of reaching a reused number.
    func close() {
        let descriptor = self.fd.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}

/// A socket call that failed, with the address and the system's reason.
public struct SocketError: Error, CustomStringConvertible {
    public let description: String

    init(_ operation: String, _ address: TransportAddress, _ code: Int32) {
        self.description = "\(operation) \(address): \(String(cString: strerror(code)))"
    }
}
