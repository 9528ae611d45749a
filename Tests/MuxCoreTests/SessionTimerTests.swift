import MuxCore
import MuxICE
import Testing

@Suite struct SessionTimerTests {
    @Test func aTimerRunLooksOnlyAtTheSessionsThatAreDue() {
        let fixture = RouterFixture()
        let (early, _, _) = fixture.addSession()
        fixture.now += .seconds(10)
        for _ in 0..<1000 { fixture.addSession() }
        fixture.now += .seconds(20)

        let work = fixture.router.runTimers(now: fixture.now)
        #expect(work.closed.map(\.id) == [early])
        #expect(work.examined == 1)
        #expect(fixture.router.runTimers(now: fixture.now).examined == 0)
        #expect(fixture.router.tableSizes.sessions == 1000)
    }

    @Test func consentChecksMoveNothingInTheHeap() {
        let fixture = RouterFixture()
        let (_, credentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:1000")
        for _ in 0..<100 {
            fixture.check(credentials, from: peer, nominate: false)
            fixture.now += .milliseconds(100)
        }
        #expect(fixture.router.tableSizes.timers == 1)
    }

    @Test func aSessionIsLookedAtAgainWhenItsDeadlineMovedLater() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:1000")
        fixture.check(credentials, from: peer)
        #expect(fixture.router.runTimers(now: fixture.now).ticks.count == 1, "the handler hears of its path")
        fixture.now += .seconds(20)
        fixture.check(credentials, from: peer, nominate: false)
        fixture.now += .seconds(11)
        // Its first entry came due at 30 s; consent now runs to 50 s.
        let work = fixture.router.runTimers(now: fixture.now)
        #expect(work.closed.isEmpty)
        #expect(work.examined <= 2, "its entry from creation, and the one left after its path tick")
        #expect(fixture.router.nextWake() == fixture.now + .seconds(19))
        fixture.now += .seconds(19)
        #expect(fixture.router.runTimers(now: fixture.now).closed.map(\.id) == [id])
    }

    @Test func aFirstNominationBringsTheDeadlineForward() {
        let fixture = RouterFixture(
            timeouts: ICETimeouts(connect: .seconds(60), consent: .seconds(10), maxDuration: .seconds(3600)))
        let (id, credentials, _) = fixture.addSession()
        fixture.now += .seconds(1)
        fixture.check(credentials, from: fixture.tuple("192.0.2.1:1000"))
        fixture.now += .seconds(11)
        let closed = fixture.router.runTimers(now: fixture.now).closed
        #expect(closed.map(\.id) == [id])
        #expect(closed.map(\.reason) == [.consentExpired])
    }

    @Test func aHandlerIsTickedWhenItAskedAndWhenItsPathChanged() {
        let fixture = RouterFixture()
        let (id, credentials, handler) = fixture.addSession()
        #expect(fixture.router.runTimers(now: fixture.now).ticks.isEmpty, "nothing asked yet")

        fixture.check(credentials, from: fixture.tuple("192.0.2.1:1000"))
        var work = fixture.router.runTimers(now: fixture.now)
        #expect(work.ticks.count == 1, "the selected path changed")

        fixture.router.scheduleTick(of: id, at: fixture.now + .seconds(1))
        fixture.router.scheduleTick(of: id, at: fixture.now + .seconds(2))
        work = fixture.router.runTimers(now: fixture.now + .milliseconds(500))
        #expect(work.ticks.isEmpty)
        work = fixture.router.runTimers(now: fixture.now + .seconds(1))
        #expect(work.ticks.count == 1)
        #expect(work.ticks.first === handler)
        work = fixture.router.runTimers(now: fixture.now + .seconds(3))
        #expect(work.ticks.isEmpty, "one tick answers every request made before it")
    }

    @Test func theHeapDrainsOnceSessionsAreGone() {
        let fixture = RouterFixture()
        var ids: [SessionID] = []
        for _ in 0..<50 { ids.append(fixture.addSession().0) }
        for id in ids { _ = fixture.router.close(id, reason: .deleted, now: fixture.now) }
        #expect(fixture.router.tableSizes.timers == 50)
        fixture.now += .seconds(31)
        _ = fixture.router.runTimers(now: fixture.now)
        #expect(fixture.router.tableSizes.timers == 0)
    }
}
