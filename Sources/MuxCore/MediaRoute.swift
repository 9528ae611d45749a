import MuxICE
import MuxWire
import Synchronization

/// What a packet thread needs to hand a session's media to it without asking the router: the handler, the
/// counters, and a version that the router raises, under its lock, whenever one of the session's tuples stops
/// leading to it (unbound, taken by another session, or the session closed). A copy of the route is good for
/// as long as the version it was taken at holds.
public final class MediaRoute: Sendable {
    public let handler: any SessionHandler
    public let counters: SessionCounters
    private let version = Atomic<UInt64>(0)

    init(handler: any SessionHandler, counters: SessionCounters) {
        self.handler = handler
        self.counters = counters
    }

    var currentVersion: UInt64 { self.version.load(ordering: .acquiring) }

    /// Counts the datagram on the session and hands it to the handler.
    func deliver(bytes: Int) -> RouteDecision {
        self.counters.recordInbound(bytes: bytes)
        return .deliver(self.handler)
    }

    /// Every copy taken so far is stale. Called under the router's lock.
    func invalidate() {
        self.version.wrappingAdd(1, ordering: .releasing)
    }
}

/// A packet thread's own index of the media tuples it has seen, so that DTLS, RTP and RTCP take no lock another
/// thread holds. A tuple is looked up in the router once (one short lock); after that, one hash lookup here and
/// one atomic load of the session's route version, which changes only when the session's tuples do.
///
/// Owned by one thread: no lock. Stale entries are dropped when they are next used, and by `prune()`, which the
/// thread runs once a second, so a closed session leaves nothing behind.
public struct MediaRouteCache {
    /// A route as the router gave it, with the version it had then.
    public struct Entry: Sendable {
        let route: MediaRoute
        let version: UInt64
    }

    private var entries: [FiveTuple: Entry] = [:]

    public init() {}

    /// Tuples held, stale ones included until the next prune.
    public var count: Int { self.entries.count }

    /// Where a datagram from `tuple` goes. STUN, and what no class claims, go to the router, which answers
    /// checks and counts what it drops; DTLS, RTP and RTCP go through this cache.
    public mutating func route(
        _ datagram: UnsafeRawBufferPointer, class packetClass: PacketClass, on tuple: FiveTuple,
        now: ContinuousClock.Instant, router: SessionRouter
    ) -> RouteDecision {
        packetClass == .stun || packetClass == .unknown
            ? router.route(datagram, class: packetClass, on: tuple, now: now)
            : self.route(bytes: datagram.count, on: tuple, router: router)
    }

    /// Where media of `bytes` bytes from `tuple` goes: counted on its session and delivered, or dropped as
    /// `unknown_address` when no session authenticated the tuple.
    public mutating func route(bytes: Int, on tuple: FiveTuple, router: SessionRouter) -> RouteDecision {
        if let entry = self.entries[tuple] {
            if entry.route.currentVersion == entry.version { return entry.route.deliver(bytes: bytes) }
            self.entries[tuple] = nil
        }
        guard let entry = router.lookUpMedia(on: tuple) else { return .drop(.unknownAddress) }
        self.entries[tuple] = entry
        return entry.route.deliver(bytes: bytes)
    }

    /// Forgets every entry whose session's tuples changed since it was taken.
    public mutating func prune() {
        self.entries = self.entries.filter { $0.value.route.currentVersion == $0.value.version }
    }
}
