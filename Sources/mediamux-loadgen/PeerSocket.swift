#if canImport(Glibc)
import Glibc
#endif
import MuxWire

/// One simulated client's UDP socket: bound to its own port, connected to the server's candidate so the
/// kernel drops datagrams from anyone else. Non-blocking; `waitReadable` blocks with a deadline.
final class PeerSocket {
    let descriptor: Int32
    let local: TransportAddress

    init(source: IPAddress, server: TransportAddress) throws {
        guard case .v4 = source, case .v4 = server.ip else { throw LoadError("only IPv4 peers are supported") }
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw LoadError("socket(): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        var buffer: Int32 = 1 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.ipv4(TransportAddress(ip: source, port: 0))
        var connected = Self.ipv4(server)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
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
        var actual = sockaddr_in()
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.local = TransportAddress(ip: source, port: UInt16(bigEndian: actual.sin_port))
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
        let milliseconds = Int32(max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        return poll(&poller, 1, milliseconds) == 1
    }

    private static func ipv4(_ address: TransportAddress) -> sockaddr_in {
        guard case .v4(let ip) = address.ip else { preconditionFailure("IPv4 only") }
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = address.port.bigEndian
        raw.sin_addr = in_addr(s_addr: ip.bigEndian)
        return raw
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
