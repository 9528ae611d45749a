import NIOPosix
import Synchronization

/// Runs SDP parsing and answering on NIO's blocking thread pool instead of the tasks that serve requests,
/// so one large offer never delays `/healthz` or another request. A few may wait; beyond that the API
/// answers 503 rather than queueing work without bound.
final class SDPWorker: Sendable {
    static let maxInFlight = 16

    private let inFlight = Atomic<Int>(0)

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard self.inFlight.add(1, ordering: .relaxed).newValue <= Self.maxInFlight else {
            self.inFlight.subtract(1, ordering: .relaxed)
            throw APIError(
                .serviceUnavailable, code: "busy", message: "too many offers are being answered; retry shortly",
                headers: [.retryAfter: "1"])
        }
        defer { self.inFlight.subtract(1, ordering: .relaxed) }
        return try await NIOThreadPool.singleton.runIfActive(work)
    }
}
