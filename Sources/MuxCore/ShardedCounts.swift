import CMuxAtomics

/// Counts kept per packet thread: each thread adds to a shard of its own, on cache lines no other thread
/// writes, without a locked instruction; threads that are not packet threads (the timers, the API) share one
/// more shard with atomic adds. Summed when the counters are published.
final class ShardedCounts: @unchecked Sendable {
    let slots: Int
    private let threads: Int
    /// Slots per shard, rounded up to whole 64-byte lines.
    private let stride: Int
    private let storage: UnsafeMutablePointer<Int64>

    init(slots: Int, threads: Int) {
        precondition(slots >= 0 && threads >= 0, "a negative count of slots or threads")
        self.slots = slots
        self.threads = threads
        self.stride = (slots + 7) / 8 * 8
        let count = self.stride * (threads + 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 8, alignment: 64)
        self.storage = raw.initializeMemory(as: Int64.self, repeating: 0, count: count)
    }

    deinit { self.storage.deallocate() }

    /// `thread` is the index of the packet thread this runs on, or nil on any other thread.
    @inline(__always)
    func add(_ slot: Int, _ amount: Int, thread: Int?) {
        if let thread, thread < self.threads {
            mm_counter_add_owned(self.storage + thread * self.stride + slot, Int64(amount))
        } else {
            mm_counter_add_shared(self.storage + self.threads * self.stride + slot, Int64(amount))
        }
    }

    /// The total of one slot over every shard.
    func sum(_ slot: Int) -> Int64 {
        (0...self.threads).reduce(0) { $0 + mm_counter_read(self.storage + $1 * self.stride + slot) }
    }
}
