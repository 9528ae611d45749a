import MuxCore
import MuxICE
import MuxTestSupport
import Testing

/// A packet thread's copy of the tuple index: right for as long as the session's tuples stay as they were, and
/// empty of every session that closed once pruned.
@Suite struct MediaRouteCacheTests {
    @Test func deliversMediaOfACheckedTupleAndForgetsItWhenTheSessionCloses() {
        let fixture = RouterFixture()
        let (id, credentials, handler) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:4000")
        var cache = MediaRouteCache()
        #expect(cache.route(bytes: 100, on: peer, router: fixture.router).dropReason == .unknownAddress)
        #expect(cache.count == 0, "nothing cached for a tuple no session holds")
        fixture.check(credentials, from: peer)
        for _ in 0..<3 { #expect(cache.route(bytes: 100, on: peer, router: fixture.router).handler === handler) }
        #expect(cache.count == 1)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.traffic.packetsIn == 3)
        #expect(fixture.router.close(id, reason: .deleted, now: fixture.now) != nil)
        #expect(cache.route(bytes: 100, on: peer, router: fixture.router).dropReason == .unknownAddress)
        #expect(cache.count == 0)
    }

    @Test func followsATupleToTheSessionThatTookItOnceConsentLapsed() {
        let fixture = RouterFixture()
        let (_, departedCredentials, departed) = fixture.addSession()
        let (_, arrivingCredentials, arriving) = fixture.addSession()
        let port = fixture.tuple("192.0.2.1:4000")
        var cache = MediaRouteCache()
        fixture.check(departedCredentials, from: port)
        #expect(cache.route(bytes: 100, on: port, router: fixture.router).handler === departed)
        fixture.now += fixture.timeouts.consent
        fixture.check(arrivingCredentials, from: port)
        #expect(cache.route(bytes: 100, on: port, router: fixture.router).handler === arriving)
    }

    @Test func forgetsABackupTupleTheTimerUnbound() {
        let fixture = RouterFixture()
        let (_, credentials, handler) = fixture.addSession()
        let selected = fixture.tuple("192.0.2.1:4000")
        let backup = fixture.tuple("198.51.100.9:6000")
        fixture.check(credentials, from: selected)
        fixture.check(credentials, from: backup, nominate: false)
        var cache = MediaRouteCache()
        #expect(cache.route(bytes: 100, on: backup, router: fixture.router).handler === handler)
        #expect(cache.route(bytes: 100, on: selected, router: fixture.router).handler === handler)
        fixture.now += .seconds(20)
        fixture.check(credentials, from: selected)
        fixture.now += .seconds(11)
        _ = fixture.router.runTimers(now: fixture.now)
        #expect(cache.route(bytes: 100, on: backup, router: fixture.router).dropReason == .unknownAddress)
        #expect(cache.route(bytes: 100, on: selected, router: fixture.router).handler === handler, "looked up again")
    }

    @Test func pruningLeavesOnlyTheRoutesOfLiveTuples() {
        let fixture = RouterFixture()
        var cache = MediaRouteCache()
        var ids: [SessionID] = []
        for port in 0..<4 {
            let (id, credentials, _) = fixture.addSession()
            let tuple = fixture.tuple("192.0.2.1:\(4000 + port)")
            fixture.check(credentials, from: tuple)
            _ = cache.route(bytes: 100, on: tuple, router: fixture.router)
            ids.append(id)
        }
        #expect(cache.count == 4)
        _ = fixture.router.close(ids[0], reason: .deleted, now: fixture.now)
        cache.prune()
        #expect(cache.count == 3)
        _ = fixture.router.closeAll(reason: .shutdown, now: fixture.now)
        cache.prune()
        #expect(cache.count == 0)
    }
}
