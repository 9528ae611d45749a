import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Plain threads for blocking work: setup handshakes and traffic loops each own a thread, so one slow peer
/// never delays another's timers.
enum Threads {
    /// Runs `body(index)` on `count` new threads and returns when all have finished.
    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }

    static func run(count: Int, _ body: @escaping @Sendable () -> Void) {
        self.run(count: count) { (_: Int) in body() }
    }

    static func sleep(until deadline: ContinuousClock.Instant) {
        let wait = deadline - .now
        guard wait > .zero else { return }
        Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
    }
}

/// Prints a status line on stderr every second until stopped.
final class ProgressReporter: Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let enabled: Bool

    init(enabled: Bool, line: @escaping @Sendable () -> String) {
        self.enabled = enabled
        guard enabled else { return }
        Thread { [stopped, finished] in
            while stopped.wait(timeout: .now() + 1) == .timedOut {
                FileHandle.standardError.write(Data("loadgen: \(line())\n".utf8))
            }
            finished.signal()
        }.start()
    }

    func stop() {
        guard self.enabled else { return }
        self.stopped.signal()
        self.finished.wait()
    }
}

/// Each peer holds a socket: lift the open-file limit to the hard limit so 10,000 peers fit.
enum FileLimit {
    static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
