import MuxWire

/// The ICE-lite side of one session: which 5-tuples have authenticated, which one is selected, and when
/// consent runs out. It keeps time only through the `now` values its caller passes.
///
/// Drive it like this:
/// - after a check that `ConnectivityCheck.respond` accepted, call `handleAuthenticatedCheck(on:nominated:now:)`
///   and apply the returned `TupleChange` to any index of tuples;
/// - arm a timer for `nextWake()`; when it fires, call `expiry(now:)` and close the session if it returns a
///   reason, else `removeStaleTuples(now:)`, and re-arm.
public struct ICELiteAgent: Sendable {
    public enum State: String, Sendable {
        /// No authenticated check yet.
        case new
        /// Authenticated checks arrived, none nominated a pair.
        case checking
        /// A pair is nominated and consent is fresh.
        case connected
    }

    public enum Expiry: Sendable, Hashable {
        case connectTimeout
        case consentExpired
        case maxDuration
    }

    /// What a check did to the set of tuples.
    public struct TupleChange: Sendable, Equatable {
        /// The tuple was new and is now bound.
        public var added: FiveTuple?
        /// A tuple evicted to make room.
        public var evicted: FiveTuple?
        /// The selected tuple changed to the checked one.
        public var selectionChanged: Bool
        /// What was selected before, when the selection changed.
        public var previouslySelected: FiveTuple?
        /// The selection had been lost, and this check restored one.
        public var reselected = false

        public init(
            added: FiveTuple? = nil, evicted: FiveTuple? = nil, selectionChanged: Bool = false,
            previouslySelected: FiveTuple? = nil
        ) {
            self.added = added
            self.evicted = evicted
            self.selectionChanged = selectionChanged
            self.previouslySelected = previouslySelected
        }
    }

    public struct BoundTuple: Sendable, Equatable {
        public let tuple: FiveTuple
        public let boundAt: ContinuousClock.Instant
        public internal(set) var lastCheck: ContinuousClock.Instant
    }

    /// At most this many tuples per session; the oldest unselected one makes room for a new one.
    public static let maxTuples = 8

    public let timeouts: ICETimeouts
    public let createdAt: ContinuousClock.Instant
    public private(set) var tuples: [BoundTuple] = []
    public private(set) var selected: FiveTuple?
    private var lastConsent: ContinuousClock.Instant?
    private var wasNominated = false

    public init(timeouts: ICETimeouts, now: ContinuousClock.Instant) {
        self.timeouts = timeouts
        self.createdAt = now
    }

    public var state: State {
        if self.selected != nil { return .connected }
        return self.tuples.isEmpty ? .new : .checking
    }

    public mutating func handleAuthenticatedCheck(
        on tuple: FiveTuple, nominated: Bool, now: ContinuousClock.Instant
    ) -> TupleChange {
        var change = TupleChange(added: nil, evicted: nil, selectionChanged: false)
        self.lastConsent = now
        if let index = self.tuples.firstIndex(where: { $0.tuple == tuple }) {
            self.tuples[index].lastCheck = now
        } else {
            if self.tuples.count >= Self.maxTuples,
                let oldest = self.tuples.indices.filter({ self.tuples[$0].tuple != self.selected })
                    .min(by: { self.tuples[$0].boundAt < self.tuples[$1].boundAt })
            {
                change.evicted = self.tuples.remove(at: oldest).tuple
            }
            self.tuples.append(BoundTuple(tuple: tuple, boundAt: now, lastCheck: now))
            change.added = tuple
        }
        // A session that was connected and lost its selected tuple selects again on the peer's next valid
        // check, nominating or not: consent checks never nominate, and media must not stop for good.
        let reselect = self.wasNominated && self.selected == nil
        if nominated { self.wasNominated = true }
        if (nominated || reselect) && self.selected != tuple {
            change.previouslySelected = self.selected
            change.reselected = reselect
            self.selected = tuple
            change.selectionChanged = true
        }
        return change
    }

    /// The next instant at which `expiry(now:)` may return a reason.
    public func pollTimeout() -> ContinuousClock.Instant {
        min(self.createdAt + self.timeouts.maxDuration, self.livenessDeadline)
    }

    /// The next instant at which `expiry(now:)` may return a reason or `removeStaleTuples(now:)` may remove
    /// a tuple: when to look at this session again.
    public func nextWake() -> ContinuousClock.Instant {
        let expiry = self.pollTimeout()
        let stale = self.tuples.lazy.filter { $0.tuple != self.selected }.map { $0.lastCheck + self.timeouts.consent }
            .min()
        return stale.map { min(expiry, $0) } ?? expiry
    }

    public func expiry(now: ContinuousClock.Instant) -> Expiry? {
        if now >= self.createdAt + self.timeouts.maxDuration { return .maxDuration }
        guard now >= self.livenessDeadline else { return nil }
        return self.wasNominated ? .consentExpired : .connectTimeout
    }

    /// Before any nomination the connect timer runs from creation. After one, consent is that of the
    /// selected tuple (RFC 7675 grants it per pair): checks on a backup pair do not keep a dead path alive.
    /// If the selected tuple was taken over by another session, any check keeps the session until it
    /// nominates again.
    private var livenessDeadline: ContinuousClock.Instant {
        guard self.wasNominated, let lastConsent = self.lastConsent else {
            return self.createdAt + self.timeouts.connect
        }
        if let selected = self.selected, let bound = self.tuples.first(where: { $0.tuple == selected }) {
            return bound.lastCheck + self.timeouts.consent
        }
        return lastConsent + self.timeouts.consent
    }

    /// Unbinds unselected tuples with no check for `consent`, and returns them.
    public mutating func removeStaleTuples(now: ContinuousClock.Instant) -> [FiveTuple] {
        let stale = self.tuples.filter { $0.tuple != self.selected && now >= $0.lastCheck + self.timeouts.consent }
        guard !stale.isEmpty else { return [] }
        self.tuples.removeAll { bound in stale.contains { $0.tuple == bound.tuple } }
        return stale.map(\.tuple)
    }
}

extension ICELiteAgent {
    /// Drops a tuple whose consent lapsed and that another session has since authenticated. If it was
    /// selected, the peer's next valid check on any tuple selects that one; until then the session lives on
    /// only while consent checks keep coming. Returns true when the selected tuple was dropped.
    @discardableResult
    public mutating func forget(_ tuple: FiveTuple) -> Bool {
        self.tuples.removeAll { $0.tuple == tuple }
        guard self.selected == tuple else { return false }
        self.selected = nil
        return true
    }

    /// SRTP or SRTCP that authenticated with the session's keys arrived on `tuple`. On the selected tuple it
    /// refreshes consent as a check does: only the peer holds the keys, and SRTP's replay window refuses a
    /// copied packet, so a forger cannot produce one, while a peer that only receives still sends RTCP.
    /// Returns false (and changes nothing) on any other tuple.
    public mutating func handleAuthenticatedMedia(on tuple: FiveTuple, now: ContinuousClock.Instant) -> Bool {
        guard tuple == self.selected, let index = self.tuples.firstIndex(where: { $0.tuple == tuple }) else {
            return false
        }
        self.tuples[index].lastCheck = now
        self.lastConsent = now
        return true
    }

    /// True while `tuple` is bound and its last authenticated check is within the consent timeout: the peer
    /// behind it is still there, so no other session may have it.
    public func holdsConsent(on tuple: FiveTuple, now: ContinuousClock.Instant) -> Bool {
        guard let bound = self.tuples.first(where: { $0.tuple == tuple }) else { return false }
        return now < bound.lastCheck + self.timeouts.consent
    }

    /// True when some tuple bound to this session comes from `ip`: a source the peer has proved it uses.
    public func hasTuple(from ip: IPAddress) -> Bool {
        self.tuples.contains { $0.tuple.remote.ip == ip }
    }
}
