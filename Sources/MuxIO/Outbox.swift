import CMuxSockets
import Metrics
import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// The datagrams an I/O thread sends after each read batch: written in place into preallocated slots and
/// sent with one `sendmmsg` per run of datagrams on the same socket. Handlers on the thread reach it through
/// `Outbox.current`; other threads have none and send at once.
final class Outbox {
    /// The index of the I/O thread that owns it.
    let thread: Int
    let capacity: Int
    let slotSize: Int
    private let batch: OpaquePointer
    private var descriptors: [Int32]
    /// Whose counters a refused send goes to.
    private var counters: [SocketCounters?]
    /// The residence histogram of the handler that made each datagram; nil for STUN answers.
    private var residence: [Timer?]
    /// When the I/O thread read the batch being handled; its thread sets it before each batch.
    var batchReadAt = ContinuousClock.now
    private(set) var count = 0

    init(thread: Int, capacity: Int, slotSize: Int) {
        guard let batch = mm_batch_new(Int32(capacity), Int32(slotSize)) else {
            fatalError("out of memory for an outbox")
        }
        self.batch = batch
        self.thread = thread
        self.capacity = capacity
        self.slotSize = slotSize
        self.descriptors = [Int32](repeating: -1, count: capacity)
        self.counters = [SocketCounters?](repeating: nil, count: capacity)
        self.residence = [Timer?](repeating: nil, count: capacity)
    }

    deinit { mm_batch_free(self.batch) }

    /// Queues a datagram that `write` fills in place (up to `capacity` bytes) for `destination` on
    /// `descriptor`; returns it as queued (valid until the next flush) with its class, or nil when `write`
    /// returned nil. Sends what is queued first when full. `residence` is recorded for RTP and RTCP only.
    func append(
        descriptor: Int32, destination: UnsafePointer<sockaddr_storage>, length addressLength: socklen_t,
        counters: SocketCounters, residence: Timer? = nil, capacity: Int,
        _ write: (UnsafeMutableRawBufferPointer) -> Int?
    ) -> (datagram: UnsafeRawBufferPointer, packetClass: PacketClass)? {
        guard capacity <= self.slotSize else { return nil }
        if self.count == self.capacity { self.flush() }
        let index = Int32(self.count)
        let slot = UnsafeMutableRawBufferPointer(start: mm_batch_slot(self.batch, index), count: capacity)
        guard let length = write(slot), length > 0, length <= capacity else { return nil }
        mm_batch_address(self.batch, index).pointee = destination.pointee
        mm_batch_set_outgoing(self.batch, index, length, addressLength)
        self.descriptors[self.count] = descriptor
        self.counters[self.count] = counters
        let datagram = UnsafeRawBufferPointer(rebasing: slot.prefix(length))
        let packetClass = PacketClass(datagram: datagram)
        // Media only: DTLS flights are not what the histogram is about.
        self.residence[self.count] = packetClass.isMedia ? residence : nil
        self.count += 1
        return (datagram, packetClass)
    }

    /// Sends everything queued, one `sendmmsg` per run of the same socket. A datagram the kernel refuses
    /// (a full send buffer, a peer gone per ICMP) is counted as a send error and not retried: media late
    /// once is better than late twice.
    func flush() {
        var start = 0
        while start < self.count {
            let descriptor = self.descriptors[start]
            var end = start + 1
            while end < self.count, self.descriptors[end] == descriptor { end += 1 }
            var next = start
            while next < end {
                let sent = Int(mm_batch_send(self.batch, descriptor, Int32(next), Int32(end - next)))
                if sent > 0 {
                    next += sent
                } else {
                    self.counters[next]?.sendFailed(thread: self.thread)
                    next += 1
                }
            }
            start = end
        }
        let held = ContinuousClock.now - self.batchReadAt
        for index in 0..<self.count {
            self.counters[index] = nil
            if let residence = self.residence[index] {
                residence.record(duration: held)
                self.residence[index] = nil
            }
        }
        self.count = 0
    }

    /// The outbox of the I/O thread this code runs on, or nil elsewhere.
    static var current: Outbox? {
        guard let pointer = pthread_getspecific(outboxKey) else { return nil }
        return Unmanaged<Outbox>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Makes this the current thread's outbox; its I/O thread calls it once, before its loop.
    func makeCurrent() {
        pthread_setspecific(outboxKey, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// The thread-specific slot holding each I/O thread's outbox.
private let outboxKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
