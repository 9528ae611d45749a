import MuxCore
import MuxICE
import MuxTestSupport
import MuxWire
import Testing

/// Failed checks spend budgets per source IP and per session; what they spend decides which checks are
/// verified at all, and error responses are capped on their own.
@Suite struct CheckBudgetTests {
    private static func budgets(sessionBurst: Double = 20, perSession: Double = 5, total: Double = 1000) -> CheckBudgets
    {
        var budgets = CheckBudgets()
        budgets.sessionFailureBurst = sessionBurst
        budgets.sessionFailuresPerSecond = 1
        budgets.errorResponsesPerSessionPerSecond = perSession
        budgets.errorResponsesPerSecond = total
        return budgets
    }

    @Test func aSourceThatGuessesUfragsIsIgnoredUntilItsBudgetRefillsButTrustedRangesNeverAre() {
        let fixture = RouterFixture(rateLimit: .init(ratePerSecond: 1, burst: 5, trusted: [IPNetwork("10.0.0.0/8")!]))
        let attacker = fixture.tuple("192.0.2.66:4000")
        let reasons = (0..<10).map { _ in fixture.route(RouterFixture.unknownUfrag, on: attacker).dropReason }
        #expect(reasons.prefix(5).allSatisfy { $0 == .unknownUfrag })
        #expect(reasons.suffix(5).allSatisfy { $0 == .rateLimited })
        let gateway = fixture.tuple("10.1.2.3:4000")
        #expect(
            (0..<50).allSatisfy { _ in
                fixture.route(RouterFixture.unknownUfrag, on: gateway).dropReason == .unknownUfrag
            })
    }

    @Test func aSpentSourceBudgetStillLetsValidChecksThroughForNewSessionsAndKnownSources() {
        let fixture = RouterFixture(rateLimit: .init(ratePerSecond: 1, burst: 5))
        let (connected, connectedCredentials, _) = fixture.addSession()
        let (fresh, freshCredentials, _) = fixture.addSession()
        // One client behind a carrier NAT is connected; a neighbour on the same IP spends its budget.
        fixture.check(connectedCredentials, from: fixture.tuple("192.0.2.66:5000"))
        for _ in 0..<10 { _ = fixture.route(RouterFixture.unknownUfrag, on: fixture.tuple("192.0.2.66:4000")) }
        #expect(
            fixture.route(RouterFixture.unknownUfrag, on: fixture.tuple("192.0.2.66:4000")).dropReason == .rateLimited)
        // The connected session's consent checks still verify, from its own tuple and a new port.
        #expect(fixture.check(connectedCredentials, from: fixture.tuple("192.0.2.66:5000"), nominate: false) != nil)
        #expect(fixture.check(connectedCredentials, from: fixture.tuple("192.0.2.66:5001"), nominate: false) != nil)
        // A new session behind the same IP can still connect.
        #expect(fixture.check(freshCredentials, from: fixture.tuple("192.0.2.66:6000"))?.type == .bindingSuccess)
        #expect(fixture.router.selectedTuple(of: fresh) != nil)
        // A session connected elsewhere is not reached from the spent IP.
        let (_, elsewhere, _) = fixture.addSession()
        fixture.check(elsewhere, from: fixture.tuple("198.51.100.1:7000"))
        #expect(
            fixture.route(CheckRequest.make(for: elsewhere), on: fixture.tuple("192.0.2.66:7000")).dropReason
                == .rateLimited)
        #expect(fixture.router.selectedTuple(of: connected) == fixture.tuple("192.0.2.66:5000"))
    }

    @Test func aFloodNamingOneSessionFromManyIPsIsCappedWithoutTouchingOthers() {
        let fixture = RouterFixture(budgets: Self.budgets(sessionBurst: 5))
        let (victim, victimCredentials, _) = fixture.addSession()
        let (_, bystanderCredentials, _) = fixture.addSession()
        let home = fixture.tuple("203.0.113.7:5000")
        fixture.check(victimCredentials, from: home)
        let reasons = (1...20).map {
            fixture.route(fixture.guess(victimCredentials), on: fixture.tuple("192.0.2.\($0):4000")).dropReason
        }
        #expect(reasons.prefix(5).allSatisfy { $0 == .badIntegrity })
        #expect(reasons.suffix(15).allSatisfy { $0 == .ufragRateLimited }, "dropped before any HMAC")
        // The victim's own source is still verified, and the bystander is not affected at all.
        #expect(fixture.check(victimCredentials, from: home, nominate: false) != nil)
        #expect(fixture.check(victimCredentials, from: fixture.tuple("203.0.113.7:5001"), nominate: false) != nil)
        #expect(fixture.check(bystanderCredentials, from: fixture.tuple("192.0.2.21:4000")) != nil)
        #expect(fixture.router.selectedTuple(of: victim) == home)
        // The budget refills.
        fixture.now += .seconds(2)
        #expect(
            fixture.route(fixture.guess(victimCredentials), on: fixture.tuple("192.0.2.99:4000")).dropReason
                == .badIntegrity)
    }

    @Test func errorResponsesAreCappedPerSessionAndInTotal() {
        let fixture = RouterFixture(budgets: Self.budgets(perSession: 2, total: 3))
        let (_, first, _) = fixture.addSession()
        let (_, second, _) = fixture.addSession()
        func answered(_ credentials: ICECredentials, _ source: Int) -> Bool {
            if case .reply(_, .badIntegrity) = fixture.route(
                fixture.guess(credentials), on: fixture.tuple("192.0.2.\(source):4000"))
            {
                return true
            }
            return false
        }
        #expect([answered(first, 1), answered(first, 2), answered(first, 3)] == [true, true, false], "2 per session")
        #expect([answered(second, 4), answered(second, 5)] == [true, false], "3 in total")
        #expect(fixture.counter("mediamux_stun_refusals_unanswered_total") == 2)
        fixture.now += .seconds(1)
        #expect(answered(second, 6))
    }
}
