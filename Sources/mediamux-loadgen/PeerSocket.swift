import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// One simulated client's UDP socket: bound to its own port, connected to the server's candidate so the
/// kernel drops datagrams from anyone else. Non-blocking; `waitReadable` blocks with a deadline.
final class PeerSocket {
    let descriptor: Int32
    let local: TransportAddress

    init(source: IPAddress, server: TransportAddress) throws {
        guard source.isIPv4 == server.ip.isIPv4 else { throw LoadError("\(source) cannot reach \(server)") }
        let family = source.isIPv4 ? AF_INET : AF_INET6
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw LoadError("socket(): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        var buffer: Int32 = 1 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_storage()
        var connected = sockaddr_storage()
        let length = TransportAddress(ip: source, port: 0).write(to: &address)
        _ = server.write(to: &connected)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        let linked = withUnsafePointer(to: &connected) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, length) }
        }
        guard bound == 0, linked == 0 else {
            close(descriptor)
            throw LoadError("bind/connect to \(server): \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.local = TransportAddress(storage: &actual) ?? TransportAddress(ip: source, port: 0)
    }

    deinit { close(self.descriptor) }

    /// False when the kernel refused it (a full buffer counts as a loss, like on a real network).
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        Glibc.send(self.descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT)) == bytes.count
    }

    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = self.send($0) }
    }

    /// The next datagram's length, or nil when none is queued.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = recv(self.descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        return count >= 0 ? count : nil
    }

    /// Waits until a datagram is queued or `timeout` passes.
    func waitReadable(timeout: Duration) -> Bool {
        var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        return poll(&poller, 1, milliseconds) == 1
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
