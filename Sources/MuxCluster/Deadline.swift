import Synchronization

/// Runs `body` with a deadline: its result, or nil when it threw or did not finish in time. The body is then
/// cancelled and may still finish in the background, so whatever it takes must be safe to undo later (a
/// reservation made after the deadline is released by the caller).
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let answer = Answer(continuation)
        let work = Task { try await body() }
        let timer = Task {
            try await Task.sleep(for: timeout)
            answer.give(nil)
            work.cancel()
        }
        Task {
            answer.give(try? await work.value)
            timer.cancel()
        }
    }
}

/// A continuation resumed by whichever comes first.
private final class Answer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: T?) {
        self.continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
