/// `rate` tokens a second, at most `burst` saved up. Time comes from the caller.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private(set) var tokens: Double
    private var updatedAt: ContinuousClock.Instant

    public init(rate: Double, burst: Double, now: ContinuousClock.Instant) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    public var isFull: Bool { self.tokens >= self.burst }

    /// Adds what accrued since the last call.
    public mutating func refill(now: ContinuousClock.Instant) {
        guard now > self.updatedAt else { return }
        let elapsed = now - self.updatedAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        self.tokens = min(self.burst, self.tokens + seconds * self.rate)
        self.updatedAt = now
    }

    public func hasToken() -> Bool { self.tokens >= 1 }

    /// True when a token is left once what accrued is added; takes none.
    public mutating func hasToken(now: ContinuousClock.Instant) -> Bool {
        self.refill(now: now)
        return self.hasToken()
    }

    /// Takes one token if there is one.
    @discardableResult
    public mutating func take(now: ContinuousClock.Instant) -> Bool {
        self.refill(now: now)
        guard self.tokens >= 1 else { return false }
        self.tokens -= 1
        return true
    }
}
