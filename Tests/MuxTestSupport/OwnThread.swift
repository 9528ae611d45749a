import Foundation

/// Runs `body`, which blocks on sockets or paces itself with sleeps, on a thread of its own, and waits for it
/// without holding one of the two cooperative threads: the tests of a parallel run share those, and a test
/// blocked on one for a second once delayed another's handshake past its consent timeout.
///
/// `body` may use what the test hands it (a test client, say) as long as the test leaves it alone until done.
public func onOwnThread<Result: Sendable>(_ body: @escaping () -> Result) async -> Result {
    nonisolated(unsafe) let body = body
    return await withCheckedContinuation { done in
        Thread { done.resume(returning: body()) }.start()
    }
}
