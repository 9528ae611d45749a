import MuxCore
import MuxICE
import MuxTestSupport
import Testing

/// An address belongs to one live session: anyone can create a session, so anyone can send a valid check
/// for it, from any address they can spoof.
@Suite struct AddressOwnershipTests {
    @Test func aValidCheckForAnotherSessionLeavesALiveSessionsAddressAlone() {
        let fixture = RouterFixture()
        let (victim, victimCredentials, victimHandler) = fixture.addSession()
        let (attacker, attackerCredentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:4000")
        fixture.check(victimCredentials, from: peer)
        for nominate in [false, true] {
            let check = CheckRequest.make(for: attackerCredentials, useCandidate: nominate)
            #expect(fixture.route(check, on: peer).dropReason == .addressConflict)
        }
        #expect(fixture.route(CheckRequest.rtp, on: peer).handler === victimHandler)
        #expect(fixture.router.selectedTuple(of: victim) == peer)
        #expect(fixture.router.selectedTuple(of: attacker) == nil)
        #expect(fixture.router.snapshot(attacker, now: fixture.now)?.tuples.isEmpty == true)
        #expect(fixture.pathChanges(.lost) == 0)
    }

    @Test func aBackupTupleWithFreshConsentIsNotTakenEither() {
        let fixture = RouterFixture()
        let (victim, victimCredentials, _) = fixture.addSession()
        let (_, otherCredentials, _) = fixture.addSession()
        let backup = fixture.tuple("198.51.100.9:6000")
        fixture.check(victimCredentials, from: fixture.tuple("192.0.2.1:4000"))
        fixture.check(victimCredentials, from: backup, nominate: false)
        #expect(fixture.route(CheckRequest.make(for: otherCredentials), on: backup).dropReason == .addressConflict)
        #expect(fixture.router.snapshot(victim, now: fixture.now)?.tuples.contains(backup) == true)
    }

    @Test func aNATThatReusesADepartedClientsPortReachesTheNewSessionOnceConsentLapsed() {
        let fixture = RouterFixture()
        let (departed, departedCredentials, _) = fixture.addSession()
        let (arriving, arrivingCredentials, arrivingHandler) = fixture.addSession()
        let port = fixture.tuple("192.0.2.1:4000")
        fixture.check(departedCredentials, from: port)
        fixture.now += .seconds(29)
        #expect(
            fixture.route(CheckRequest.make(for: arrivingCredentials, useCandidate: true), on: port).dropReason
                == .addressConflict)
        fixture.now += .seconds(1)
        #expect(fixture.check(arrivingCredentials, from: port)?.type == .bindingSuccess)
        #expect(fixture.route(CheckRequest.rtp, on: port).handler === arrivingHandler)
        #expect(fixture.router.selectedTuple(of: arriving) == port)
        #expect(fixture.router.selectedTuple(of: departed) == nil)
        #expect(fixture.pathChanges(.lost) == 1)
        #expect(fixture.pathChanges(.selected) == 2)
    }

    @Test func aSessionThatLostItsSelectionSelectsAgainOnItsPeersNextCheck() {
        let fixture = RouterFixture()
        let (session, credentials, handler) = fixture.addSession()
        let (_, otherCredentials, _) = fixture.addSession()
        let old = fixture.tuple("192.0.2.1:4000")
        fixture.check(credentials, from: old)
        // The peer moved and its old port went to someone else after consent lapsed on it, before the
        // timer closed the session: nothing is selected.
        fixture.now += .seconds(30)
        fixture.check(otherCredentials, from: old)
        #expect(fixture.router.selectedTuple(of: session) == nil)
        // A consent check never nominates; it selects all the same.
        let new = fixture.tuple("192.0.2.1:4001")
        #expect(fixture.check(credentials, from: new, nominate: false) != nil)
        #expect(fixture.router.selectedTuple(of: session) == new)
        #expect(fixture.route(CheckRequest.rtp, on: new).handler === handler)
        #expect(fixture.pathChanges(.reselected) == 1)
    }

    @Test func countsASwitchOfTheSelectedPair() {
        let fixture = RouterFixture()
        let (session, credentials, _) = fixture.addSession()
        fixture.check(credentials, from: fixture.tuple("192.0.2.1:4000"))
        fixture.check(credentials, from: fixture.tuple("198.51.100.9:6000"), nominate: true)
        #expect(fixture.router.selectedTuple(of: session) == fixture.tuple("198.51.100.9:6000"))
        #expect(fixture.pathChanges(.switched) == 1)
    }
}
