import CoreMetrics
import Synchronization

/// Counters that packet threads add to per packet: each thread counts into a shard of its own
/// (`ShardedCounts`), with no locked instruction and no cache line another thread writes, and `publish()`
/// adds what was counted since its last call to the exported counters, when /metrics is scraped and once a
/// second. A slot is an index into the exported counters.
///
/// A shard has one writer: its add is a load and a store, not an atomic add. So two threads must never count
/// under one index, as two transports in one process that share these counters would.
public final class ShardedCounters: Sendable {
    private let counts: ShardedCounts
    /// The exported counter of each slot, in order.
    private let exported: [Counter]
    /// What each slot had when last published.
    private let published: Mutex<[Int64]>

    /// `threads`: how many packet threads count, each by its index; any other thread shares one more shard.
    public init(exporting exported: [Counter], threads: Int) {
        self.exported = exported
        self.counts = ShardedCounts(slots: exported.count, threads: threads)
        self.published = Mutex([Int64](repeating: 0, count: exported.count))
    }

    /// `thread` is the packet thread this runs on (`PacketThread.current`), nil on any other.
    @inline(__always)
    public func add(_ slot: Int, _ amount: Int, thread: Int?) {
        self.counts.add(slot, amount, thread: thread)
    }

    /// Adds what every thread counted since the last call to the exported counters.
    public func publish() {
        self.published.withLock { published in
            for slot in 0..<self.exported.count {
                let total = self.counts.sum(slot)
                if total > published[slot] { self.exported[slot].increment(by: total - published[slot]) }
                published[slot] = total
            }
        }
    }
}
