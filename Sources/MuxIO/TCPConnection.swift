import CMuxSockets
import MuxCore
import MuxICE
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One accepted ICE-TCP connection: to the router, a socket of its own (`id`) with a single remote address,
/// so ICE, consent, DTLS and SRTP treat its tuple like any UDP tuple.
///
/// The packet thread that accepted it owns the receiving side (the stream buffer, whether it authenticated)
/// and is the only one to close it. Any thread may send: a frame is written at once, and what the kernel
/// does not take is queued whole, so the stream stays framed, and sent when the socket is writable again.
/// Buffers are allocated at accept; nothing is allocated per frame.
final class TCPConnection: @unchecked Sendable {
    private struct Output {
        /// One frame being written: its 2-byte length, then up to `maxFrameBytes`.
        var scratch: UnsafeMutableRawPointer?
        /// Bytes the kernel did not take yet, at `start..<end`; allocated when first needed.
        var queue: UnsafeMutableRawPointer?
        var start = 0
        var end = 0
        var closed = false
        /// A write failed for a reason other than a full buffer; the owner closes the connection.
        var failed = false

        var isQueued: Bool { self.end > self.start }
    }

    let id: SocketID
    let remote: TransportAddress
    let listener: TCPListener
    let openedAt: ContinuousClock.Instant
    private let poller: Int32
    private let fd: Atomic<Int32>
    private let output: Mutex<Output>

    // Owned by the packet thread that accepted the connection.
    /// What the stream delivered and no frame consumed yet, at `0..<filled`.
    private(set) var inbound: UnsafeMutableRawBufferPointer
    var filled = 0
    /// Its first check authenticated; until then it counts as waiting.
    var isAuthenticated = false
    /// Consecutive housekeeping rounds that found its tuple leading to no session.
    var unboundRounds = 0

    /// Room for several frames per read, so a burst costs few system calls.
    static let inboundCapacity = 8192
    /// Queued output beyond which frames are dropped (counted as send errors), like datagrams a full UDP
    /// buffer refuses: media over a stalled connection is late anyway.
    static let queueCapacity = 64 * 1024

    init(
        id: SocketID, descriptor: Int32, remote: TransportAddress, listener: TCPListener, poller: Int32,
        now: ContinuousClock.Instant
    ) {
        self.id = id
        self.remote = remote
        self.listener = listener
        self.poller = poller
        self.openedAt = now
        self.fd = Atomic(descriptor)
        self.inbound = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inboundCapacity, alignment: 16)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: TCPConfiguration.maxFrameBytes + 2, alignment: 16)
        self.output = Mutex(Output(scratch: scratch))
    }

    var descriptor: Int32 { self.fd.load(ordering: .acquiring) }

    /// Open and not yet authenticated.
    var isWaiting: Bool { !self.isAuthenticated && self.descriptor >= 0 }

    var local: TransportAddress { self.listener.local }

    private var counters: SocketCounters { self.listener.counters.frames }

    /// Whether a write failed; the owner then closes the connection.
    var hasFailed: Bool { self.output.withLock { $0.failed } }

    // MARK: Sending, from any thread

    /// Frames and sends what `write` fills in place (up to `capacity` bytes), or queues what the kernel did
    /// not take. Nil when nothing was sent or queued: counted as a send error when the queue was full or the
    /// write failed, not when the connection had already closed.
    func send(
        capacity: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (bytes: Int, packetClass: PacketClass)? {
        let thread = PacketThread.current
        guard capacity <= TCPConfiguration.maxFrameBytes else { return nil }
        let sent: (bytes: Int, packetClass: PacketClass)?? = self.output.withLock { output in
            // Closed or failed: the path is gone, as with no selected tuple; the failure was counted once.
            guard !output.closed, !output.failed, let scratch = output.scratch else { return .none }
            let payload = UnsafeMutableRawBufferPointer(start: scratch + 2, count: capacity)
            guard let length = write(payload), length > 0, length <= capacity else { return .none }
            StreamFramer.writeHeader(length: length, to: scratch)
            let frame = UnsafeRawBufferPointer(start: scratch, count: length + 2)
            let packetClass = PacketClass(datagram: UnsafeRawBufferPointer(rebasing: frame.dropFirst(2)))
            guard Self.write(frame, output: &output, descriptor: self.descriptor, poller: self.poller) else {
                return .some(nil)
            }
            return (length, packetClass)
        }
        switch sent {
        case .none:
            return nil
        case .some(nil):
            self.counters.sendFailed(thread: thread)
            return nil
        case .some(let result?):
            self.counters.sent(result.packetClass, bytes: result.bytes, thread: thread)
            return result
        }
    }

    /// Writes a whole frame, or queues the part the kernel did not take; false when it can be neither.
    private static func write(
        _ frame: UnsafeRawBufferPointer, output: inout Output, descriptor: Int32, poller: Int32
    ) -> Bool {
        var written = 0
        if !output.isQueued {
            let result = mm_tcp_send(descriptor, frame.baseAddress, frame.count)
            if result == frame.count { return true }
            if result < 0 {
                let code = mm_errno()
                guard code == EAGAIN || code == EWOULDBLOCK else {
                    output.failed = true
                    return false
                }
            } else {
                written = result
            }
        }
        let rest = frame.count - written
        guard Self.queueCapacity - (output.end - output.start) >= rest else { return false }
        if output.queue == nil {
            output.queue = UnsafeMutableRawPointer.allocate(byteCount: Self.queueCapacity, alignment: 16)
        }
        guard let queue = output.queue else { return false }
        if Self.queueCapacity - output.end < rest {
            // Compact: what is queued moves to the front.
            memmove(queue, queue + output.start, output.end - output.start)
            output.end -= output.start
            output.start = 0
        }
        (queue + output.end).copyMemory(from: frame.baseAddress! + written, byteCount: rest)
        let wasQueued = output.isQueued
        output.end += rest
        // Without EPOLLOUT the queue would never drain: a socket that cannot be watched has failed.
        if !wasQueued && mm_poller_watch_writable(poller, descriptor, 1) != 0 { output.failed = true }
        return true
    }

    // MARK: Owner thread

    /// The socket is writable again: sends what was queued, and stops watching once it is all out.
    func flushQueued() {
        self.output.withLock { output in
            guard !output.closed, let queue = output.queue else { return }
            while output.isQueued {
                let result = mm_tcp_send(self.descriptor, queue + output.start, output.end - output.start)
                if result > 0 {
                    output.start += result
                    continue
                }
                let code = mm_errno()
                if result < 0 && (code == EAGAIN || code == EWOULDBLOCK) { return }
                output.failed = true
                return
            }
            output.start = 0
            output.end = 0
            mm_poller_watch_writable(self.poller, self.descriptor, 0)
        }
    }

    /// Closes the socket and frees its buffers. Under the output lock, so no sender still holds the descriptor
    /// when its number is released. `abort` resets instead of a FIN, for connections refused at once.
    func close(abort: Bool) {
        self.output.withLock { output in
            guard !output.closed else { return }
            output.closed = true
            let descriptor = self.fd.exchange(-1, ordering: .acquiringAndReleasing)
            mm_poller_remove(self.poller, descriptor)
            if abort { mm_tcp_abort(descriptor) } else { Glibc.close(descriptor) }
            output.scratch?.deallocate()
            output.queue?.deallocate()
            output.scratch = nil
            output.queue = nil
        }
        self.inbound.deallocate()
        self.inbound = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        self.filled = 0
    }
}
