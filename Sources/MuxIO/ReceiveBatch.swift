import CMuxSockets

#if canImport(Glibc)
import Glibc
#endif

/// The slots one I/O thread hands to `recvmmsg`: `capacity` datagrams of up to `slotSize` bytes, each with
/// its source address. Allocated once; every read reuses them, so receiving allocates nothing.
final class ReceiveBatch {
    let capacity: Int
    let slotSize: Int
    private let batch: OpaquePointer

    init(capacity: Int, slotSize: Int) {
        guard let batch = mm_batch_new(Int32(capacity), Int32(slotSize)) else {
            fatalError("out of memory for a receive batch")
        }
        self.batch = batch
        self.capacity = capacity
        self.slotSize = slotSize
    }

    deinit { mm_batch_free(self.batch) }

    /// Reads up to `capacity` queued datagrams without blocking; returns how many (0 when none).
    func read(from descriptor: Int32) -> Int {
        Int(mm_batch_receive(self.batch, descriptor))
    }

    /// Datagram `index` of the last read, in its slot: valid until the next read.
    func datagram(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(
            start: mm_batch_slot(self.batch, Int32(index)), count: Int(mm_batch_length(self.batch, Int32(index))))
    }

    /// True when datagram `index` was longer than a slot and the kernel cut it.
    func wasTruncated(_ index: Int) -> Bool {
        mm_batch_truncated(self.batch, Int32(index)) != 0
    }

    func source(_ index: Int) -> UnsafePointer<sockaddr_storage> {
        UnsafePointer(mm_batch_address(self.batch, Int32(index)))
    }

    func sourceLength(_ index: Int) -> socklen_t {
        mm_batch_address_length(self.batch, Int32(index))
    }
}
