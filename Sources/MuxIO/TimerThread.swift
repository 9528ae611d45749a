import CMuxSockets
import MuxCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The router's timers on a thread of their own: ICE deadlines and consent, and the ticks handlers ask for
/// (DTLS retransmissions, the handshake deadline, a client's first flight, the release of an association).
/// Not on Swift's cooperative threads, so that a task blocking there, or a busy API, cannot hold back a
/// retransmission or a deadline. It wakes at the router's next deadline, at least every `interval`, and when
/// the router asks for an earlier tick (`wake()`).
///
/// Sessions the timers close are handed to `closed` at once (they have left the router); the session manager
/// releases them on its task (handler, range ports, admission), which may wait.
public final class TimerThread: @unchecked Sendable {
    private let interval: Duration
    private let closed: @Sendable ([ClosedSession]) -> Void
    private let wakeup: Int32
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)

    public init(interval: Duration, closed: @escaping @Sendable ([ClosedSession]) -> Void) {
        self.interval = interval
        self.closed = closed
        self.wakeup = mm_wakeup_create()
        precondition(self.wakeup >= 0, "cannot create the timer thread's eventfd")
    }

    deinit { close(self.wakeup) }

    /// Starts running `router`'s timers.
    public func start(router: SessionRouter) {
        // Under the lock, so that a `stop` at the same moment finds the thread to join.
        self.thread.withLock { running in
            guard running == nil else { return }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(Running(timers: self, router: router)).toOpaque()
            let created = pthread_create(
                &thread, nil,
                { context in
                    let running = Unmanaged<Running>.fromOpaque(context!).takeRetainedValue()
                    running.timers.loop(router: running.router)
                    return nil
                }, context)
            precondition(created == 0, "cannot start the timer thread")
            running = thread
        }
    }

    /// Ends the loop and waits for it, so no timer runs after this returns.
    public func stop() {
        self.stopping.store(true, ordering: .releasing)
        mm_wakeup_signal(self.wakeup)
        if let thread = self.thread.withLock({ running -> pthread_t? in
            defer { running = nil }
            return running
        }) {
            pthread_join(thread, nil)
        }
    }

    /// An earlier tick was asked for: the thread looks at the timers now instead of at its next deadline.
    public func wake() {
        mm_wakeup_signal(self.wakeup)
    }

    private final class Running {
        let timers: TimerThread
        let router: SessionRouter

        init(timers: TimerThread, router: SessionRouter) {
            self.timers = timers
            self.router = router
        }
    }

    private func loop(router: SessionRouter) {
        mm_thread_name("mux-timers")
        while !self.stopping.load(ordering: .acquiring) {
            let now = ContinuousClock.now
            let work = router.runTimers(now: now)
            if !work.closed.isEmpty { self.closed(work.closed) }
            for handler in work.ticks { handler.handleTick(now: now) }
            let wake = min(router.nextWake() ?? now + self.interval, now + self.interval)
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
