import CMuxAtomics

/// Which packet thread the caller runs on, for counters kept per thread (`ShardedCounters`).
public enum PacketThread {
    /// The index of the packet thread this code runs on, or nil on any other thread (timers, the API).
    @inline(__always)
    public static var current: Int? {
        let index = mm_packet_thread_index()
        return index < 0 ? nil : Int(index)
    }

    /// Marks the calling thread as packet thread `index`; each packet thread calls it once, before its loop.
    public static func enter(index: Int) {
        mm_set_packet_thread_index(Int32(index))
    }
}
