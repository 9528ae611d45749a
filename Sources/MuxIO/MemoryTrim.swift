import CMuxSockets

/// Gives the pages that freed memory left behind back to the kernel (glibc's `malloc_trim`). A session
/// allocates most of its memory for its DTLS handshake and frees it on its peer's first SRTP packet; glibc
/// keeps such memory for reuse, so without this a burst of setups would leave the resident size at its peak.
/// Run from the mux's timer task, off the packet threads, at most every `interval`.
struct MemoryTrim {
    let interval: Duration
    private var due: ContinuousClock.Instant?

    init(interval: Duration) {
        self.interval = interval
    }

    /// Trims if the interval has passed; returns how long it took, or nil when it did not run.
    mutating func runIfDue(now: ContinuousClock.Instant) -> Duration? {
        guard now >= self.due ?? now else { return nil }
        self.due = now + self.interval
        let started = ContinuousClock.now
        mm_malloc_trim()
        return ContinuousClock.now - started
    }
}
