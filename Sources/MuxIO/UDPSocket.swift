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
        let buffer = Int32(clamping: bufferBytes)
        var options = [BoundSocket.Option(name: SO_RCVBUF, value: buffer), .init(name: SO_SNDBUF, value: buffer)]
        if reusePort { options.append(.enabled(SO_REUSEPORT)) }
        let (descriptor, bound) = try BoundSocket.open(SOCK_DGRAM, on: local, options: options)
        return UDPSocket(descriptor: descriptor, local: bound)
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
