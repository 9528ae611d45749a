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
        self.closedByReason = Dictionary(
            uniqueKeysWithValues: CloseReason.allCases.map {
                (
                    $0,
                    Counter(
                        label: "mediamux_session_closed_total", dimensions: [("reason", $0.rawValue)], factory: factory)
                )
            })
        self.refusedByReason = Dictionary(
            uniqueKeysWithValues: AdmissionRefusal.allCases.map {
                (
                    $0,
                    Counter(
                        label: "mediamux_admission_refused_total", dimensions: [("reason", $0.rawValue)],
                        factory: factory)
                )
            })
        self.pathChanges = Dictionary(
            uniqueKeysWithValues: PathChange.Kind.allCases.map {
                (
                    $0,
                    Counter(
                        label: "mediamux_ice_selected_pair_changes_total", dimensions: [("change", $0.rawValue)],
                        factory: factory)
                )
            })
        self.unansweredRefusals = Counter(label: "mediamux_stun_refusals_unanswered_total", factory: factory)
        for gauge in self.sessionsByState.values { gauge.record(0) }
        for counter in self.pathChanges.values { counter.increment(by: 0) }
        self.unansweredRefusals.increment(by: 0)
        for counter in self.closedByReason.values { counter.increment(by: 0) }
        for counter in self.refusedByReason.values { counter.increment(by: 0) }
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
