import CoreMetrics

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
        self.refused = Dictionary(
            uniqueKeysWithValues: ConnectionGate.Refusal.allCases.map {
                (
                    $0,
                    Counter(
                        label: "mediamux_api_connections_refused_total", dimensions: [("reason", $0.rawValue)],
                        factory: factory)
                )
            })
        self.closed = Dictionary(
            uniqueKeysWithValues: Closure.allCases.map {
                (
                    $0,
                    Counter(
                        label: "mediamux_api_connections_closed_total", dimensions: [("reason", $0.rawValue)],
                        factory: factory)
                )
            })
    }
}
