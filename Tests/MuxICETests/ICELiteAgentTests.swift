import MuxICE
import MuxWire
import Testing

@Suite struct ICELiteAgentTests {
    let start = ContinuousClock.now
    let timeouts = ICETimeouts(connect: .seconds(30), consent: .seconds(30), maxDuration: .seconds(3600))

    func tuple(_ port: UInt16, socket: Int = 1) -> FiveTuple {
        FiveTuple(socket: SocketID(socket), remote: TransportAddress(ip: .v4(0xC000_0207), port: port))
    }

    @Test func movesFromNewThroughCheckingToConnected() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        #expect(agent.state == .new)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: false, now: self.start)
        #expect(agent.state == .checking)
        let change = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        #expect(agent.state == .connected)
        #expect(change.selectionChanged)
        #expect(change.added == nil)
    }

    @Test func useCandidateFromANewAddressMovesTheSelection() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        let change = agent.handleAuthenticatedCheck(on: self.tuple(2), nominated: true, now: self.start)
        #expect(change.added == self.tuple(2))
        #expect(agent.selected == self.tuple(2))
        #expect(agent.tuples.count == 2)
    }

    @Test func keepsAtMostEightTuplesAndEvictsTheOldestUnselected() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        for port in UInt16(2)...8 {
            _ = agent.handleAuthenticatedCheck(
                on: self.tuple(port), nominated: false, now: self.start + .seconds(Int(port)))
        }
        let change = agent.handleAuthenticatedCheck(on: self.tuple(9), nominated: false, now: self.start + .seconds(9))
        #expect(change.evicted == self.tuple(2))
        #expect(agent.tuples.count == ICELiteAgent.maxTuples)
        #expect(agent.selected == self.tuple(1))
    }

    @Test func closesASessionThatNeverConnects() {
        let agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        #expect(agent.pollTimeout() == self.start + .seconds(30))
        #expect(agent.expiry(now: self.start + .seconds(29)) == nil)
        #expect(agent.expiry(now: self.start + .seconds(30)) == .connectTimeout)
    }

    @Test func consentChecksKeepAConnectedSessionAlive() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        for second in stride(from: 5, through: 100, by: 5) {
            _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: false, now: self.start + .seconds(second))
            #expect(agent.expiry(now: self.start + .seconds(second + 1)) == nil)
        }
        #expect(agent.expiry(now: self.start + .seconds(129)) == nil)
        #expect(agent.expiry(now: self.start + .seconds(130)) == .consentExpired)
    }

    @Test func endsEverySessionAtMaxDuration() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start + .seconds(3599))
        #expect(agent.expiry(now: self.start + .seconds(3600)) == .maxDuration)
    }

    @Test func aSessionThatLostItsTupleExpiresByConsentNotByConnectTimeout() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start + .seconds(100))
        agent.forget(self.tuple(1))
        #expect(agent.expiry(now: self.start + .seconds(101)) == nil)
        #expect(agent.pollTimeout() == self.start + .seconds(130))
        #expect(agent.expiry(now: self.start + .seconds(130)) == .consentExpired)
    }

    @Test func checksOnABackupPairDoNotKeepTheSelectedPairAlive() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        for second in stride(from: 5, through: 40, by: 5) {
            _ = agent.handleAuthenticatedCheck(on: self.tuple(2), nominated: false, now: self.start + .seconds(second))
        }
        #expect(agent.expiry(now: self.start + .seconds(30)) == .consentExpired)
    }

    @Test func forgettingTheSelectedTupleDeselectsIt() {
        var agent = ICELiteAgent(timeouts: self.timeouts, now: self.start)
        _ = agent.handleAuthenticatedCheck(on: self.tuple(1), nominated: true, now: self.start)
        agent.forget(self.tuple(1))
        #expect(agent.selected == nil)
        #expect(agent.tuples.isEmpty)
    }
}
