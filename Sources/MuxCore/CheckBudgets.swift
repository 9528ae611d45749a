/// What failed and refused connectivity checks may cost, besides the per-source budget of
/// `FailureRateLimiter`; defaults match docs/configuration.md (`rate_limit`).
///
/// Ufrags are public (they are in every SDP), so a flood can name a live session from any number of
/// source IPs, each under its own budget. The session's own failure budget caps what such a flood costs,
/// and error responses are capped per session and in total, since sending them costs more than the check.
public struct CheckBudgets: Sendable, Equatable {
    /// Failed checks naming one session, per second, before checks for it from sources it has no tuple
    /// from are dropped unverified (`ufrag_rate_limited`).
    public var sessionFailuresPerSecond: Double = 20
    public var sessionFailureBurst: Double = 20
    /// Error responses (400, 401, 420, 487) to checks naming one session, per second, with an equal burst.
    public var errorResponsesPerSessionPerSecond: Double = 5
    /// Error responses to refused checks across the whole process, per second, with an equal burst.
    public var errorResponsesPerSecond: Double = 1000

    public init() {}
}
