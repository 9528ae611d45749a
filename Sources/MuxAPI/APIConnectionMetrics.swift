import CoreMetrics
import MuxCore

/// What the API's connections do before any request is authenticated (docs/operations.md, "API connections").
struct APIConnectionMetrics: Sendable {
    enum Closure: String, CaseIterable {
        case headerTimeout = "header_timeout", bodyTimeout = "body_timeout", idleTimeout = "idle_timeout"
    }

    let open: Gauge
    let refused: [ConnectionGate.Refusal: Counter]
    let closed: [Closure: Counter]

    init(factory: any MetricsFactory) {
        self.open = Gauge(label: "mediamux_api_connections", factory: factory)
        self.refused = Counter.perCase(
            of: ConnectionGate.Refusal.self, label: "mediamux_api_connections_refused_total", dimension: "reason",
            factory: factory)
        self.closed = Counter.perCase(
            of: Closure.self, label: "mediamux_api_connections_closed_total", dimension: "reason", factory: factory)
    }
}
