import MuxWire

/// Limits how many failed STUN checks (unknown ufrag, missing attributes, wrong password) each source IP
/// may send: a token bucket per IP, `ratePerSecond` tokens a second up to `burst`. Once a bucket is
/// empty, every STUN request from that IP is dropped before any HMAC is computed, so guessing and floods
/// cost the mux almost nothing and get no answer.
///
/// Many clients may share one IP (carrier NAT, an office, a load balancer), so the default is generous and
/// `trusted` networks are never limited. Memory is bounded: at most `maxTrackedSources` buckets; beyond that
/// new sources share one overflow bucket.
public struct FailureRateLimiter: Sendable {
    public struct Settings: Sendable, Equatable {
        public var ratePerSecond: Double = 50
        public var burst: Double = 50
        public var trusted: [IPNetwork] = []
        public var maxTrackedSources = 65_536

        public init(
            ratePerSecond: Double = 50, burst: Double = 50, trusted: [IPNetwork] = [], maxTrackedSources: Int = 65_536
        ) {
            self.ratePerSecond = ratePerSecond
            self.burst = burst
            self.trusted = trusted
            self.maxTrackedSources = maxTrackedSources
        }
    }

    public let settings: Settings
    private var buckets: [IPAddress: TokenBucket] = [:]
    private var overflow: TokenBucket?

    public init(settings: Settings) {
        self.settings = settings
    }

    /// True when `source` has no failures left to spend.
    public mutating func isLimited(_ source: IPAddress, now: ContinuousClock.Instant) -> Bool {
        guard !self.isTrusted(source) else { return false }
        if self.buckets[source.hostPrefix] == nil && self.buckets.count < self.settings.maxTrackedSources {
            return false  // no failures yet: nothing to store
        }
        return self.withBucket(source, now: now) { !$0.hasToken() }
    }

    /// Spends one token of `source` for a failed check.
    public mutating func chargeFailure(_ source: IPAddress, now: ContinuousClock.Instant) {
        guard !self.isTrusted(source) else { return }
        self.withBucket(source, now: now) { $0.take(now: now) }
    }

    /// Forgets buckets that have refilled, so idle sources take no memory.
    public mutating func prune(now: ContinuousClock.Instant) {
        self.buckets = self.buckets.filter { _, bucket in
            var bucket = bucket
            bucket.refill(now: now)
            return !bucket.isFull
        }
    }

    public var trackedSources: Int { self.buckets.count }

    private func isTrusted(_ source: IPAddress) -> Bool {
        self.settings.trusted.contains { $0.contains(source) }
    }

    @discardableResult
    private mutating func withBucket<T>(
        _ address: IPAddress, now: ContinuousClock.Instant, _ body: (inout TokenBucket) -> T
    ) -> T {
        let source = address.hostPrefix
        let fresh = TokenBucket(rate: self.settings.ratePerSecond, burst: self.settings.burst, now: now)
        if self.buckets[source] == nil && self.buckets.count >= self.settings.maxTrackedSources {
            var bucket = self.overflow ?? fresh
            bucket.refill(now: now)
            defer { self.overflow = bucket }
            return body(&bucket)
        }
        var bucket = self.buckets[source] ?? fresh
        bucket.refill(now: now)
        defer { self.buckets[source] = bucket }
        return body(&bucket)
    }
}
