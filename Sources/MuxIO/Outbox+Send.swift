import Metrics
import MuxWire

#if canImport(Glibc)
import Glibc
#endif

extension Outbox {
    /// Sends one datagram that `write` fills in place (up to `capacity` bytes). With an outbox (on a packet
    /// thread) it joins the batch, from `socket(outbox.thread)`; without one (timers, the API) it leaves at once
    /// from `socket(nil)`, out of a buffer of its own. Counted on `counters` as sent, or as a send error.
    /// Returns its length and class, or nil when nothing was written or the kernel refused it.
    static func send(
        through outbox: Outbox?, socket: (_ thread: Int?) -> UDPSocket, to destination: UnsafePointer<sockaddr_storage>,
        length addressLength: socklen_t, counters: SocketCounters, residence: Timer? = nil, capacity: Int,
        _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (bytes: Int, packetClass: PacketClass)? {
        let thread = outbox?.thread
        let sent: (bytes: Int, packetClass: PacketClass)?
        if let outbox {
            sent = outbox.append(
                descriptor: socket(outbox.thread).descriptor, destination: destination, length: addressLength,
                counters: counters, residence: residence, capacity: capacity, write
            ).map { ($0.datagram.count, $0.packetClass) }
        } else {
            sent = Self.sendNow(
                socket(nil), to: destination, length: addressLength, counters: counters, capacity: capacity, write)
        }
        if let sent { counters.sent(sent.packetClass, bytes: sent.bytes, thread: thread) }
        return sent
    }

    private static func sendNow(
        _ socket: UDPSocket, to destination: UnsafePointer<sockaddr_storage>, length: socklen_t,
        counters: SocketCounters, capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (bytes: Int, packetClass: PacketClass)? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        defer { buffer.deallocate() }
        guard let bytes = write(UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(capacity))), bytes > 0,
            bytes <= capacity
        else {
            return nil
        }
        let datagram = UnsafeRawBufferPointer(rebasing: buffer.prefix(bytes))
        guard socket.send(datagram, to: destination, length: length) else {
            counters.sendFailed(thread: nil)
            return nil
        }
        return (bytes, PacketClass(datagram: datagram))
    }
}
