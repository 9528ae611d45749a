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
        let request = CheckRequest.make(
            localUfrag: credentials.ufrag, password: "not-the-password-at-all!", useCandidate: true)
        guard case .reply(let bytes, .badIntegrity) = fixture.route(request, on: peer) else {
            Issue.record("expected a 401 reply")
            return
        }
        #expect((try? STUNMessage(parsing: bytes))?.errorCode?.code == 401)
        #expect(fixture.route(CheckRequest.rtp, on: peer).dropReason == .unknownAddress)
        #expect(fixture.router.snapshot(id, now: fixture.now)?.state == .new)
    }

    /// Found by FuzzSTUN: the in-place peek reads the ufrag of a check whose MESSAGE-INTEGRITY is 19 bytes
    /// long, which the parse refuses; it is dropped as malformed, and binds nothing.
    @Test func aCheckThePeekReadsButTheParseRefusesIsMalformed() throws {
        let fixture = RouterFixture()
        let (id, credentials, _) = fixture.addSession()
        var check = CheckRequest.make(for: credentials, useCandidate: true)
        var offset = 20
        while offset + 4 <= check.count, check[offset] != 0x00 || check[offset + 1] != 0x08 {
            offset += 4 + ((Int(check[offset + 2]) << 8 | Int(check[offset + 3])) + 3) & ~3
        }
        try #require(offset + 4 <= check.count, "the check carries MESSAGE-INTEGRITY")
        check[offset + 3] = 19
        #expect(check.withUnsafeBytes { STUNCheckPeek.localUfrag(of: $0) } == credentials.ufrag)
        #expect(fixture.route(check, on: fixture.tuple("192.0.2.1:4000")).dropReason == .malformed)
        #expect(fixture.router.selectedTuple(of: id) == nil)
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
        #expect(
            fixture.route(response.finish(integrity: nil, fingerprint: true), on: peer).dropReason == .unexpectedSTUN)
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

    @Test func anIPv6HostSharesOneFailureBudgetAcrossItsSlash64() {
        let fixture = RouterFixture(rateLimit: .init(ratePerSecond: 1, burst: 3))
        let reasons = (1...6).map {
            fixture.route(RouterFixture.unknownUfrag, on: fixture.tuple("[2001:db8:1:2::\($0)]:4000")).dropReason
        }
        #expect(reasons == [.unknownUfrag, .unknownUfrag, .unknownUfrag, .rateLimited, .rateLimited, .rateLimited])
        #expect(
            fixture.route(RouterFixture.unknownUfrag, on: fixture.tuple("[2001:db8:1:3::1]:4000")).dropReason
                == .unknownUfrag)
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
