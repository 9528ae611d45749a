import MuxCore
import MuxICE
import MuxTestSupport
import MuxWire
import Testing

@Suite struct RoutingTests {
    @Test func bindsAnAddressOnlyAfterAnAuthenticatedCheck() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:4000")

        #expect(fixture.route(CheckRequest.rtp, on: peer).dropReason == .unknownAddress)
        let response = fixture.check(credentials, from: peer)
        #expect(response?.type == .bindingSuccess)
        #expect(response?.xorMappedAddress == peer.remote)
        #expect(fixture.route(CheckRequest.rtp, on: peer).isDelivery)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.state == .connected)
        #expect(fixture.router.selectedTuple(of: id) == peer)
    }

    @Test func aWrongPasswordBindsNothing() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:4000")
        let request = CheckRequest.make(localUfrag: credentials.ufrag, password: "not-the-password-at-all!", useCandidate: true)
        guard case .reply(let bytes, .badIntegrity) = fixture.route(request, on: peer) else {
            Issue.record("expected a 401 reply")
            return
        }
        #expect((try? STUNMessage(parsing: bytes))?.errorCode?.code == 401)
        #expect(fixture.route(CheckRequest.rtp, on: peer).dropReason == .unknownAddress)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.state == .new)
    }

    @Test func dropsAnUnknownUfragSilently() {
        let fixture = RouterFixture()
        fixture.addSession()
        let request = CheckRequest.make(localUfrag: "nobody", password: "whatever-whatever-whatever")
        #expect(fixture.route(request, on: fixture.tuple("192.0.2.1:4000")).dropReason == .unknownUfrag)
    }

    @Test func dropsGarbageAndUnexpectedSTUN() {
        let fixture = RouterFixture()
        let peer = fixture.tuple("192.0.2.1:4000")
        #expect(fixture.route([0xFF, 0x00, 0x01], on: peer).dropReason == .unknownClass)
        #expect(fixture.route([0x00, 0x01, 0x00], on: peer).dropReason == .malformed)
        var response = STUNMessageBuilder(type: .bindingSuccess, transactionID: .random())
        response.appendXORMappedAddress(peer.remote)
        #expect(fixture.route(response.finish(integrity: nil, fingerprint: true), on: peer).dropReason == .unexpectedSTUN)
    }

    @Test func aNewAddressAddsATupleAndUseCandidateMovesTheSelection() {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        let wifi = fixture.tuple("192.0.2.1:4000")
        let cellular = fixture.tuple("198.51.100.9:6000")
        fixture.check(credentials, from: wifi)
        fixture.check(credentials, from: cellular, nominate: false)
        #expect(fixture.router.selectedTuple(of: id) == wifi)
        fixture.check(credentials, from: cellular, nominate: true)
        #expect(fixture.router.selectedTuple(of: id) == cellular)
        #expect(fixture.route(CheckRequest.rtp, on: wifi).isDelivery)
        #expect(fixture.route(CheckRequest.rtp, on: cellular).isDelivery)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.tuples.count == 2)
    }

    @Test func aTupleAuthenticatedByAnotherSessionMovesThere() {
        let fixture = RouterFixture()
        let (first, firstCredentials, _) = fixture.addSession()
        let (second, secondCredentials, secondHandler) = fixture.addSession()
        let peer = fixture.tuple("192.0.2.1:4000")
        fixture.check(firstCredentials, from: peer)
        fixture.check(secondCredentials, from: peer)
        #expect(fixture.route(CheckRequest.rtp, on: peer).handler === secondHandler)
        #expect(fixture.router.selectedTuple(of: first) == nil)
        #expect(fixture.router.selectedTuple(of: second) == peer)
        #expect(fixture.router.tableSizes.tuples == 1)
    }

    @Test func rateLimitsFailedChecksPerSourceButNotTrustedRanges() {
        let fixture = RouterFixture(rateLimit: .init(ratePerSecond: 1, burst: 5, trusted: [IPNetwork("10.0.0.0/8")!]))
        let (_, credentials, _) = fixture.addSession()
        let guess = CheckRequest.make(localUfrag: credentials.ufrag, password: "guessing-guessing-guessing")
        let attacker = fixture.tuple("192.0.2.66:4000")
        let reasons = (0..<10).map { _ in fixture.route(guess, on: attacker).dropReason }
        #expect(reasons.prefix(5).allSatisfy { $0 == .badIntegrity })
        #expect(reasons.suffix(5).allSatisfy { $0 == .rateLimited })
        // Even the right password is ignored from a limited source until tokens refill.
        #expect(fixture.route(CheckRequest.make(for: credentials), on: attacker).dropReason == .rateLimited)
        fixture.now += .seconds(2)
        #expect(fixture.check(credentials, from: attacker) != nil)

        let gateway = fixture.tuple("10.1.2.3:4000")
        #expect((0..<50).allSatisfy { _ in fixture.route(guess, on: gateway).dropReason == .badIntegrity })
    }

    @Test func anIPv6HostSharesOneFailureBudgetAcrossItsSlash64() {
        let fixture = RouterFixture(rateLimit: .init(ratePerSecond: 1, burst: 3))
        let (_, credentials, _) = fixture.addSession()
        let guess = CheckRequest.make(localUfrag: credentials.ufrag, password: "guessing-guessing-guessing")
        let reasons = (1...6).map { fixture.route(guess, on: fixture.tuple("[2001:db8:1:2::\($0)]:4000")).dropReason }
        #expect(reasons == [.badIntegrity, .badIntegrity, .badIntegrity, .rateLimited, .rateLimited, .rateLimited])
        #expect(fixture.route(guess, on: fixture.tuple("[2001:db8:1:3::1]:4000")).dropReason == .badIntegrity)
    }

    @Test func aRangePortOnlyAnswersItsOwnSession() {
        let fixture = RouterFixture()
        let (_, _, _) = fixture.addSession(ownedSockets: [SocketID(7)])
        let (_, other, _) = fixture.addSession()
        let onForeignPort = fixture.tuple("192.0.2.1:4000", socket: 7)
        #expect(fixture.route(CheckRequest.make(for: other), on: onForeignPort).dropReason == .unknownUfrag)
        #expect(fixture.check(other, from: fixture.tuple("192.0.2.1:4000", socket: 1)) != nil)
    }
}
