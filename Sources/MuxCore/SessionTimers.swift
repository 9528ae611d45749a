import HeapModule

/// When each session next needs the timer, in a min-heap: a tick costs the entries that are due, however
/// many sessions there are.
///
/// A session has one live entry, the instant in its record's `wake`. Scheduling earlier pushes a new entry
/// and leaves the old one in place; an entry whose instant is no longer its session's `wake` (or whose session
/// is gone) is stale and skipped when it comes up. Deadlines that move later (a consent check) push nothing:
/// the entry comes up early, the session is looked at and rescheduled. Every wake lies within the connect or
/// consent timeout, so stale entries leave the heap within that time.
struct SessionTimers: Sendable {
    struct Entry: Comparable, Sendable {
        let at: ContinuousClock.Instant
        let id: SessionID

        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.at < rhs.at }
    }

    private var heap = Heap<Entry>()

    mutating func schedule(_ id: SessionID, at instant: ContinuousClock.Instant) {
        self.heap.insert(Entry(at: instant, id: id))
    }

    /// The earliest entry, due or not; it may be stale.
    var next: ContinuousClock.Instant? { self.heap.min?.at }

    /// Removes and returns the earliest entry if it is due.
    mutating func popDue(now: ContinuousClock.Instant) -> Entry? {
        guard let first = self.heap.min, first.at <= now else { return nil }
        return self.heap.removeMin()
    }

    /// True when an entry is due.
    func hasDue(now: ContinuousClock.Instant) -> Bool {
        self.heap.min.map { $0.at <= now } ?? false
    }

    var count: Int { self.heap.count }
}
