import Logging
import MetricsTestKit
import MuxCore
import MuxICE
import MuxIO
import MuxSessions
import MuxTestSupport
import MuxWire

/// A real `SessionManager` on loopback with kernel-chosen ports, running its timers; stopped by `stop()`.
/// ICE-TCP is off unless a test turns it on.
final class MuxFixture: Sendable {
    let mux: SessionManager
    let metrics: TestMetrics
    let admission: LocalAdmission
    private let runner: Task<Void, any Error>

    init(_ configure: (inout MuxSettings) -> Void = { _ in }) async throws {
        var settings = MuxSettings()
        settings.udp.bindAddresses = [IPAddress("127.0.0.1")!]
        settings.udp.port = 0
        settings.udp.receiveBufferBytes = 1 << 20
        settings.tick = .milliseconds(20)
        settings.defaultHandler = "discard"
        // The UDP tests count candidates; ICETCPTests turn TCP on.
        settings.tcp.enabled = false
        configure(&settings)
        let metrics = TestMetrics()
        let admission = LocalAdmission(limits: settings.limits)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let mux = try await SessionManager.bind(
            settings: settings, admission: admission, metricsFactory: metrics, logger: logger)
        self.mux = mux
        self.metrics = metrics
        self.admission = admission
        self.runner = Task { try await mux.run() }
    }

    /// Cancels the service and waits for it: `run` closes every session before it returns.
    func stop() async {
        self.runner.cancel()
        _ = await self.runner.result
    }

    func candidateAddresses(_ session: CreatedSession) -> [TransportAddress] {
        session.candidates.map(\.address)
    }

    /// The value of a counter, 0 if it was never made; the packet threads' counts are published first.
    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        self.mux.publishCounters()
        return (try? self.metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }
}
