import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// One simulated client's socket to the server's candidate. Over UDP: bound to its own port and connected,
/// so the kernel drops datagrams from anyone else. Over TCP (ICE-TCP, `isStream`): a connection whose
/// datagrams travel as RFC 4571 frames, read out of a buffer of its own. Non-blocking; `waitReadable`
/// blocks with a deadline.
final class PeerSocket {
    let descriptor: Int32
    let local: TransportAddress
    let isStream: Bool
    /// TCP only: bytes read and not yet taken as frames, at `0..<filled`; one outgoing frame.
    private let inbound: UnsafeMutableRawBufferPointer
    private var filled = 0
    private let outbound: UnsafeMutableRawBufferPointer

    init(source: IPAddress, server: TransportAddress, stream: Bool = false) throws {
        guard source.isIPv4 == server.ip.isIPv4 else { throw LoadError("\(source) cannot reach \(server)") }
        let family = source.isIPv4 ? AF_INET : AF_INET6
        let type = stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { throw LoadError("socket(): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        self.isStream = stream
        self.inbound = .allocate(byteCount: stream ? 16_384 : 0, alignment: 16)
        self.outbound = .allocate(byteCount: stream ? 2050 : 0, alignment: 16)
        var one: Int32 = 1
        if stream { setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var buffer: Int32 = 1 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_storage()
        var connected = sockaddr_storage()
        let length = TransportAddress(ip: source, port: 0).write(to: &address)
        _ = server.write(to: &connected)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        // A blocking connect, then non-blocking reads and writes.
        let linked = withUnsafePointer(to: &connected) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, length) }
        }
        guard bound == 0, linked == 0 else {
            close(descriptor)
            throw LoadError("bind/connect to \(server): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.local = TransportAddress(storage: &actual) ?? TransportAddress(ip: source, port: 0)
    }

    deinit {
        close(self.descriptor)
        self.inbound.deallocate()
        self.outbound.deallocate()
    }

    /// False when the kernel refused it (a full buffer counts as a loss, like on a real network).
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard self.isStream else {
            return Glibc.send(self.descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT)) == bytes.count
        }
        guard bytes.count <= self.outbound.count - 2 else { return false }
        self.outbound[0] = UInt8(bytes.count >> 8)
        self.outbound[1] = UInt8(bytes.count & 0xFF)
        UnsafeMutableRawBufferPointer(rebasing: self.outbound[2...]).copyMemory(from: bytes)
        // A frame the kernel takes only part of would break the stream; at these rates it takes them whole.
        let frame = bytes.count + 2
        return Glibc.send(self.descriptor, self.outbound.baseAddress, frame, Int32(MSG_NOSIGNAL)) == frame
    }

    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = self.send($0) }
    }

    /// The next datagram's length, or nil when none is queued.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard self.isStream else {
            let count = recv(self.descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            return count >= 0 ? count : nil
        }
        if let length = self.takeFrame(into: buffer) { return length }
        let count = recv(
            self.descriptor, self.inbound.baseAddress! + self.filled, self.inbound.count - self.filled,
            Int32(MSG_DONTWAIT))
        guard count > 0 else { return nil }
        self.filled += count
        return self.takeFrame(into: buffer)
    }

    /// Copies out the first whole frame of the stream buffer, if there is one.
    private func takeFrame(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let received = UnsafeRawBufferPointer(rebasing: self.inbound.prefix(self.filled))
        guard case .frame(let range) = StreamFramer.next(in: received, at: 0, maxLength: buffer.count) else {
            return nil
        }
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: received[range]))
        let rest = self.filled - range.upperBound
        if rest > 0 { memmove(self.inbound.baseAddress!, self.inbound.baseAddress! + range.upperBound, rest) }
        self.filled = rest
        return range.count
    }

    /// Waits until a datagram is queued or `timeout` passes.
    func waitReadable(timeout: Duration) -> Bool {
        if self.isStream {
            let received = UnsafeRawBufferPointer(rebasing: self.inbound.prefix(self.filled))
            if case .frame = StreamFramer.next(in: received, at: 0, maxLength: 2048) { return true }
        }
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
