import CMuxSockets
import MuxCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The router's timers on a thread of their own: ICE deadlines and consent, and the ticks handlers ask for
/// (DTLS retransmissions, the handshake deadline, a client's first flight, the release of an association).
/// Not on Swift's cooperative threads, so that a task blocking there, or a busy API, cannot hold back a
/// retransmission or a deadline. It wakes at the router's next deadline, at least every `interval`.
///
/// Sessions the timers close are handed to `closed` at once (they have left the router); the mux releases
/// them on its task (handler, range ports, admission), which may wait.
final class TimerThread: @unchecked Sendable {
    private let router: SessionRouter
    private let interval: Duration
    private let closed: @Sendable ([ClosedSession]) -> Void
    private let wakeup: Int32
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)

    init(router: SessionRouter, interval: Duration, closed: @escaping @Sendable ([ClosedSession]) -> Void) {
        self.router = router
        self.interval = interval
        self.closed = closed
        self.wakeup = mm_wakeup_create()
        precondition(self.wakeup >= 0, "cannot create the timer thread's eventfd")
    }

    deinit { close(self.wakeup) }

    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { context in
                let timers = Unmanaged<TimerThread>.fromOpaque(context!).takeRetainedValue()
                timers.loop()
                return nil
            }, context)
        precondition(created == 0, "cannot start the timer thread")
        self.thread.withLock { $0 = thread }
    }

    /// Ends the loop and waits for it, so no timer runs after this returns.
    func stop() {
        self.stopping.store(true, ordering: .releasing)
        mm_wakeup_signal(self.wakeup)
        if let thread = self.thread.withLock({ running -> pthread_t? in
            defer { running = nil }
            return running
        }) {
            pthread_join(thread, nil)
        }
    }

    private func loop() {
        mm_thread_name("mux-timers")
        while !self.stopping.load(ordering: .acquiring) {
            let now = ContinuousClock.now
            let work = self.router.runTimers(now: now)
            if !work.closed.isEmpty { self.closed(work.closed) }
            for handler in work.ticks { handler.handleTick(now: now) }
            let wake = min(self.router.nextWake() ?? now + self.interval, now + self.interval)
            self.sleep(until: wake)
        }
    }

    /// Sleeps until `instant` (at least a millisecond), or until `stop` signals.
    private func sleep(until instant: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (instant - ContinuousClock.now).components
        let milliseconds = max(1, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        var poller = pollfd(fd: self.wakeup, events: Int16(POLLIN), revents: 0)
        if poll(&poller, 1, Int32(clamping: milliseconds)) > 0 { mm_wakeup_drain(self.wakeup) }
    }
}

/// Sessions that left the router on a thread that cannot wait (the timer thread, a handler on a packet
/// thread), waiting for the mux's task to release them.
final class ClosedSessionQueue: Sendable {
    private let sessions = Mutex<[ClosedSession]>([])

    func append(_ closed: [ClosedSession]) {
        self.sessions.withLock { $0.append(contentsOf: closed) }
    }

    func takeAll() -> [ClosedSession] {
        self.sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return sessions
        }
    }
}
