import CoreMetrics

/// Session and admission counters, made once from the factory the application chose.
public final class CoreMetrics: Sendable {
    private let sessionsByState: [SessionState: Gauge]
    private let closedByReason: [CloseReason: Counter]
    private let refusedByReason: [AdmissionRefusal: Counter]
    private let pathChanges: [PathChange.Kind: Counter]
    private let unansweredRefusals: Counter

    public init(factory: any MetricsFactory) {
        self.sessionsByState = Dictionary(
            uniqueKeysWithValues: SessionState.iceStates.map {
                ($0, Gauge(label: "mediamux_sessions", dimensions: [("state", $0.rawValue)], factory: factory))
            })
        self.closedByReason = Counter.perCase(
            of: CloseReason.self, label: "mediamux_session_closed_total", dimension: "reason", factory: factory)
        self.refusedByReason = Counter.perCase(
            of: AdmissionRefusal.self, label: "mediamux_admission_refused_total", dimension: "reason",
            factory: factory)
        self.pathChanges = Counter.perCase(
            of: PathChange.Kind.self, label: "mediamux_ice_selected_pair_changes_total", dimension: "change",
            factory: factory)
        self.unansweredRefusals = Counter(label: "mediamux_stun_refusals_unanswered_total", factory: factory)
        for gauge in self.sessionsByState.values { gauge.record(0) }
        self.unansweredRefusals.increment(by: 0)
    }

    func record(sessionCounts: [SessionState: Int]) {
        for (state, gauge) in self.sessionsByState {
            gauge.record(sessionCounts[state, default: 0])
        }
    }

    func record(_ change: PathChange.Kind) {
        self.pathChanges[change]?.increment()
    }

    /// A refused check whose error response a budget withheld.
    func recordUnansweredRefusal() {
        self.unansweredRefusals.increment()
    }

    func recordClosed(_ reason: CloseReason) {
        self.closedByReason[reason]?.increment()
    }

    public func recordRefused(_ reason: AdmissionRefusal) {
        self.refusedByReason[reason]?.increment()
    }
}
