import MuxCore
import MuxICE
import MuxTestSupport
import MuxWire
import Testing

@Suite struct SessionLifecycleTests {
    /// Closes sessions in every way there is and checks that no table keeps an entry.
    @Test func closingInEveryWayLeavesNoTableEntries() {
        let fixture = RouterFixture()
        // Deleted, with two tuples bound.
        let (deleted, deletedCredentials, deletedHandler) = fixture.addSession(room: "a", user: "alice")
        fixture.check(deletedCredentials, from: fixture.tuple("192.0.2.1:1000"))
        fixture.check(deletedCredentials, from: fixture.tuple("192.0.2.1:1001"), nominate: false)
        // Never connects.
        fixture.addSession(room: "a")
        // Connects, then goes quiet.
        let (_, quietCredentials, _) = fixture.addSession(room: "b")
        fixture.check(quietCredentials, from: fixture.tuple("192.0.2.2:1000"))
        // Stays alive until max duration; shut down later.
        let (_, chattyCredentials, _) = fixture.addSession(room: "c")
        let chatty = fixture.tuple("192.0.2.3:1000")
        fixture.check(chattyCredentials, from: chatty)
        let sizes = fixture.router.tableSizes
        #expect([sizes.sessions, sizes.ufrags, sizes.tuples, sizes.rooms] == [4, 4, 4, 3])

        #expect(fixture.router.close(deleted, reason: .deleted, now: fixture.now)?.reason == .deleted)
        #expect(fixture.router.close(deleted, reason: .deleted, now: fixture.now) == nil, "closed once only")
        #expect(deletedHandler.closeReason == nil, "the I/O layer tells handlers, not the router")

        fixture.now += .seconds(29)
        fixture.check(chattyCredentials, from: chatty, nominate: false)
        fixture.now += .seconds(2)
        let expired = fixture.router.runTimers(now: fixture.now).closed
        #expect(Set(expired.map(\.reason)) == [.connectTimeout, .consentExpired])

        let shutdown = fixture.router.closeAll(reason: .shutdown, now: fixture.now)
        #expect(shutdown.map(\.reason) == [.shutdown])
        #expect(fixture.router.tableSizes.isEmpty)
        #expect(fixture.router.rooms().isEmpty)
    }

    @Test func maxDurationEndsEvenAnActiveSession() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:1000")
        for _ in 0..<(3600 / 20) {
            fixture.check(credentials, from: peer)
            fixture.now += .seconds(20)
            if !fixture.router.runTimers(now: fixture.now).closed.isEmpty { break }
        }
        #expect(fixture.router.snapshot(id, now: fixture.now)?.closeReason == .maxDuration)
        #expect(fixture.router.tableSizes.isEmpty)
    }

    @Test func aClosedSessionStillReportsHowItEnded() {
        let fixture = RouterFixture()
        let (id, _, _) = fixture.addSession()
        _ = fixture.router.close(id, reason: .deleted, now: fixture.now)
        let snapshot = fixture.router.snapshot(id, now: fixture.now)
        #expect(snapshot?.state == .closed)
        #expect(snapshot?.closeReason == .deleted)
    }

    @Test func theNextWakeIsTheEarliestSessionTimer() {
        let fixture = RouterFixture()
        #expect(fixture.router.nextWake() == nil)
        let created = fixture.now
        fixture.addSession()
        #expect(fixture.router.nextWake() == created + .seconds(30))
    }

    @Test func refusesADuplicateUfrag() {
        let fixture = RouterFixture()
        let (_, credentials, _) = fixture.addSession()
        let clash = NewSession(
            ticket: AdmissionTicket(session: .random(), node: "test", room: "r", user: nil), handlerName: "test",
            credentials: credentials,
            handler: RecordingHandler(), counters: SessionCounters()
        )
        #expect(fixture.router.insert(clash, now: fixture.now) == .duplicate)
    }

    @Test func refusesSessionsCreatedAfterShutdownBegan() {
        let fixture = RouterFixture()
        fixture.addSession()
        _ = fixture.router.closeAll(reason: .shutdown, now: fixture.now)
        let late = NewSession(
            ticket: AdmissionTicket(session: .random(), node: "test", room: "r", user: nil), handlerName: "test",
            credentials: .random(),
            handler: RecordingHandler(), counters: SessionCounters()
        )
        #expect(fixture.router.insert(late, now: fixture.now) == .shuttingDown)
        #expect(fixture.router.tableSizes.isEmpty)
    }

    @Test func unbindsAddressesThePeerStoppedChecking() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let old = fixture.tuple("192.0.2.1:1000")
        let current = fixture.tuple("192.0.2.1:2000")
        fixture.check(credentials, from: old, nominate: false)
        fixture.check(credentials, from: current)
        fixture.now += .seconds(20)
        fixture.check(credentials, from: current, nominate: false)
        fixture.now += .seconds(11)
        #expect(fixture.router.runTimers(now: fixture.now).closed.isEmpty)
        #expect(fixture.route(CheckRequest.rtp, on: old).dropReason == .unknownAddress)
        #expect(fixture.route(CheckRequest.rtp, on: current).isDelivery)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.tuples == [current])
    }
}
