import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking UDP socket for tests: sends to the mux and waits for an answer with a deadline.
public final class UDPTestClient {
    private let descriptor: Int32
    public let local: TransportAddress

    public init(bindTo ip: String = "127.0.0.1") throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestError("socket() failed") }
        self.descriptor = socketDescriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, ip, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        self.local = TransportAddress(
            ip: .v4(UInt32(bigEndian: address.sin_addr.s_addr)), port: UInt16(bigEndian: address.sin_port))
    }

    deinit { close(self.descriptor) }

    public func send(_ bytes: [UInt8], to destination: TransportAddress) {
        var address = sockaddr_storage()
        let length = destination.write(to: &address)
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(self.descriptor, buffer.baseAddress, buffer.count, 0, $0, length)
                }
            }
        }
    }

    /// The next datagram and its source, or nil when none arrives within `timeout`.
    public func receive(timeout: Duration = .seconds(2)) -> (bytes: [UInt8], from: TransportAddress)? {
        var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(self.descriptor, &buffer, buffer.count, 0, $0, &length)
            }
        }
        guard count >= 0, let source = TransportAddress(storage: &address) else { return nil }
        return (Array(buffer.prefix(count)), source)
    }

    /// Sends and waits for the first answer.
    public func exchange(
        _ bytes: [UInt8], with destination: TransportAddress, timeout: Duration = .seconds(2)
    ) -> (bytes: [UInt8], from: TransportAddress)? {
        self.send(bytes, to: destination)
        return self.receive(timeout: timeout)
    }
}

public struct TestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or the deadline passes; never a fixed sleep.
public func eventually(
    timeout: Duration = .seconds(5), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension Sequence {
    /// `map` for async transforms, one element after another.
    public func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
