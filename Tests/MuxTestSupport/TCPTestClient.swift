import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection for tests, speaking RFC 4571 frames to an ICE-TCP listener.
public final class TCPTestClient {
    private var descriptor: Int32
    public let local: TransportAddress
    /// What arrived and no frame consumed yet.
    private var received: [UInt8] = []

    /// Connects to `server`, from `ip` when given. A `receiveBufferBytes` set before the connect keeps the
    /// window the peer may fill small, as a slow reader's.
    public init(to server: TransportAddress, from ip: String? = nil, receiveBufferBytes: Int32? = nil) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestError("socket() failed: \(errno)") }
        self.descriptor = descriptor
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var bytes = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        if let ip {
            var address = sockaddr_storage()
            let length = TransportAddress(ip: IPAddress(ip)!, port: 0).write(to: &address)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0 else { throw TestError("bind() failed: \(errno)") }
        }
        var address = sockaddr_storage()
        let length = server.write(to: &address)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard connected == 0 else { throw TestError("connect() to \(server) failed: \(errno)") }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.local = TransportAddress(storage: &actual)!
    }

    deinit { if self.descriptor >= 0 { close(self.descriptor) } }

    /// The bytes as they are, in one write.
    public func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Each datagram framed, all in one write.
    public func sendFrames(_ datagrams: [[UInt8]]) {
        self.sendRaw(datagrams.flatMap(Self.frame))
    }

    public func sendFrame(_ datagram: [UInt8]) {
        self.sendFrames([datagram])
    }

    public static func frame(_ datagram: [UInt8]) -> [UInt8] {
        [UInt8(datagram.count >> 8), UInt8(datagram.count & 0xFF)] + datagram
    }

    /// The next whole frame's payload, or nil when none arrives within `timeout` or the stream ended.
    public func receiveFrame(timeout: Duration = .seconds(2)) -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if self.received.count >= 2 {
                let length = Int(self.received[0]) << 8 | Int(self.received[1])
                if self.received.count >= 2 + length {
                    let frame = Array(self.received[2..<2 + length])
                    self.received.removeFirst(2 + length)
                    return frame
                }
            }
            guard case .bytes(let bytes) = self.read(until: deadline) else { return nil }
            self.received += bytes
        }
    }

    /// Sends a framed datagram and waits for the first frame back.
    public func exchange(_ datagram: [UInt8], timeout: Duration = .seconds(2)) -> [UInt8]? {
        self.sendFrame(datagram)
        return self.receiveFrame(timeout: timeout)
    }

    /// True once the server closed or reset the connection, within `timeout`; what it still sent is skipped.
    public func waitForClose(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch self.read(until: deadline) {
            case .bytes: continue
            case .closed: return true
            case .timedOut: return false
            }
        }
    }

    /// Closes with an RST (SO_LINGER 0), as a peer that vanishes mid-stream.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(self.descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(self.descriptor)
        self.descriptor = -1
    }

    private enum ReadResult {
        case bytes([UInt8])
        case closed
        case timedOut
    }

    private func read(until deadline: ContinuousClock.Instant) -> ReadResult {
        let left = deadline - ContinuousClock.now
        let milliseconds = max(
            0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
        var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) == 1 else { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(self.descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return .closed }
        return .bytes(Array(buffer.prefix(count)))
    }
}
