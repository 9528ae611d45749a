import MuxCrypto
import MuxICE
import MuxSecure
import MuxTestSupport
import MuxWire
import Testing

/// `SecureSession` driven by hand on a fake clock: ICE, then DTLS against the in-process peer, then SRTP.
@Suite struct SecureSessionTests {
    /// A check that nominates selects the tuple; then the handshake, with the peer's certificate, and SRTP
    /// both ways.
    @Test func connectsAfterICEThenCarriesSRTPBothWays() throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        #expect(fixture.events.first == .handshakeStarted)
        #expect(fixture.events.contains { if case .connected = $0 { true } else { false } })
        #expect(fixture.session.isConnected && fixture.peer.engine.state == .connected)

        let plain = SRTPTestPacket.rtp(sequence: 1)
        let (receipt, decrypted) = try fixture.receive(plain, at: fixture.start + .milliseconds(20))
        #expect(receipt == .media(length: plain.count, confirmsConsent: true))
        #expect(decrypted == plain)
        #expect(try fixture.send(SRTPTestPacket.rtp(sequence: 7)) == SRTPTestPacket.rtp(sequence: 7))
        #expect(fixture.session.pollTimeout() == nil, "nothing waits on time while the association is kept")
    }

    @Test func mediaBeforeTheKeysIsDroppedAndSendsNothing() throws {
        let fixture = try SecureSessionFixture()
        var packet = SRTPTestPacket.rtp(sequence: 1)
        let receipt = packet.withUnsafeMutableBytes { fixture.session.handle($0, class: .rtp, now: fixture.start) }
        #expect(receipt == .dropped(.notReady))
        #expect(try fixture.send(SRTPTestPacket.rtp(sequence: 1)) == nil)
    }

    /// Authenticated media tells ICE about consent at most once a confirmation interval.
    @Test func mediaConfirmsConsentOncePerInterval() throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        var confirmations: [Bool] = []
        for (sequence, offset) in [(1, 0), (2, 500), (3, 999), (4, 1_000), (5, 1_500)] {
            let (receipt, _) = try fixture.receive(
                SRTPTestPacket.rtp(sequence: UInt16(sequence)), at: fixture.start + .milliseconds(offset))
            guard case .media(_, let confirms) = receipt else { throw TestError("not media: \(receipt)") }
            confirmations.append(confirms)
        }
        #expect(confirmations == [true, false, false, true, false])
    }

    /// The peer's first flight comes; the session's answer is lost. The timeout it asks for is OpenSSL's
    /// first retransmission, 1 s on the given clock; at 980 ms nothing goes, at 1 s the flight goes again.
    @Test func retransmitsALostFlightAtTheTimeoutItAskedFor() throws {
        let fixture = try SecureSessionFixture()
        try #require(try fixture.check(nominating: true, at: fixture.start))
        fixture.session.handlePathSelected(now: fixture.start)
        fixture.peer.engine.start(now: fixture.start)
        fixture.deliverPeer(at: fixture.start)
        let lost = fixture.takeTransmits()
        #expect(!lost.isEmpty)
        #expect(fixture.session.pollTimeout() == fixture.start + .seconds(1))
        fixture.timeout(at: fixture.start + .milliseconds(980))
        #expect(fixture.takeTransmits().isEmpty, "not due yet (OpenSSL counts the last 15 ms as due)")
        fixture.timeout(at: fixture.start + .seconds(1))
        let resent = fixture.takeTransmits()
        #expect(resent.count == lost.count && resent != lost, "the same flight, in new records")
        for datagram in resent {
            datagram.withUnsafeBytes { _ = fixture.peer.engine.handle($0, now: fixture.start + .seconds(1)) }
        }
        fixture.exchange(at: fixture.start + .seconds(1))
        #expect(fixture.session.isConnected && fixture.peer.engine.state == .connected)
    }

    @Test func failsOnceWhenTheHandshakeDeadlinePasses() throws {
        let fixture = try SecureSessionFixture()
        fixture.session.handlePathSelected(now: fixture.start)
        #expect(fixture.session.pollTimeout() == fixture.start + .seconds(10))
        fixture.timeout(at: fixture.start + .milliseconds(9_999))
        #expect(fixture.events == [.handshakeStarted])
        fixture.timeout(at: fixture.start + .seconds(10))
        fixture.timeout(at: fixture.start + .seconds(11))
        #expect(
            fixture.events == [.handshakeStarted, .failed(.timeout, detail: "no DTLS handshake within 10.0 seconds")])
        #expect(fixture.session.phase == .closing && fixture.session.pollTimeout() == nil)
    }

    @Test func asClientItSendsTheClientHelloOnlyOnceICESelectedAPath() throws {
        let fixture = try SecureSessionFixture(mediamuxIsServer: false)
        fixture.timeout(at: fixture.start)
        #expect(fixture.takeTransmits().isEmpty && fixture.events.isEmpty)
        try fixture.connect(at: fixture.start + .seconds(1))
        #expect(fixture.session.isConnected && fixture.peer.engine.state == .connected)
    }

    @Test func aCertificateThatIsNotTheSignaledOneFails() throws {
        let fixture = try SecureSessionFixture(signaled: .another)
        try fixture.connect(at: fixture.start)
        #expect(!fixture.session.isConnected)
        #expect(
            fixture.events.last
                == .failed(.fingerprint, detail: "the peer's certificate does not match the fingerprint it signaled"))
    }

    @Test func theSignaledCertificateConnects() throws {
        let fixture = try SecureSessionFixture(signaled: .peersCertificate)
        try fixture.connect(at: fixture.start)
        #expect(fixture.session.isConnected)
    }

    @Test func thePeersCloseNotifyEndsTheSession() throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        fixture.peer.engine.shutdown()
        fixture.deliverPeer(at: fixture.start + .seconds(1))
        #expect(fixture.events.last == .peerClosed)
        #expect(fixture.session.phase == .closing)
    }

    /// A datagram with DTLS's first byte from the peer's tuple proves nothing: dropped, the session goes on.
    @Test func aForgedRecordAfterTheHandshakeIsDroppedAndEndsNothing() throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        for shape in ForgedDTLSRecord.shapes {
            var datagram = shape.datagram
            let receipt = datagram.withUnsafeMutableBytes {
                fixture.session.handle($0, class: .dtls, now: fixture.start + .seconds(1))
            }
            #expect(receipt == .dropped(.dtlsUnauthenticated), "\(shape.name)")
        }
        #expect(fixture.session.isConnected && fixture.takeTransmits().isEmpty)
        let (receipt, _) = try fixture.receive(SRTPTestPacket.rtp(sequence: 1), at: fixture.start + .seconds(1))
        #expect(receipt == .media(length: SRTPTestPacket.rtp(sequence: 1).count, confirmsConsent: true))
    }

    /// Kept 2 s whatever SRTP arrives; the first SRTP after that makes the release due at once; after it a DTLS
    /// record is dropped, and the close sends the close_notify sealed at the release.
    @Test func releasesTheAssociationThenClosesWithTheSealedCloseNotify() throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        _ = try fixture.receive(SRTPTestPacket.rtp(sequence: 1), at: fixture.start + .milliseconds(1_999))
        #expect(fixture.session.pollTimeout() == nil)
        _ = try fixture.receive(SRTPTestPacket.rtp(sequence: 2), at: fixture.start + .seconds(2))
        #expect(fixture.session.pollTimeout() == fixture.start + .seconds(2))
        fixture.timeout(at: fixture.start + .seconds(2))
        #expect(fixture.events.last == .released && fixture.session.phase == .connected(.released))
        var record = ForgedDTLSRecord.shapes[0].datagram
        let receipt = record.withUnsafeMutableBytes {
            fixture.session.handle($0, class: .dtls, now: fixture.start + .seconds(3))
        }
        #expect(receipt == .dropped(.dtlsAfterRelease))
        #expect(try fixture.send(SRTPTestPacket.rtp(sequence: 9)) != nil, "SRTP outlives the association")
        fixture.close(notifyPeer: true)
        let farewell = try #require(fixture.takeTransmits().first)
        #expect(
            farewell.withUnsafeBytes { fixture.peer.engine.handle($0, now: fixture.start + .seconds(3)) } == .closed)
    }

    /// Every way a session ends: close_notify only when mediamux ends it, and nothing is left after.
    @Test(arguments: [true, false])
    func closingFreesEverythingAndNotifiesThePeerOnlyWhenAsked(notifyPeer: Bool) throws {
        let fixture = try SecureSessionFixture()
        try fixture.connect(at: fixture.start)
        fixture.close(notifyPeer: notifyPeer)
        let transmits = fixture.takeTransmits()
        #expect(transmits.count == (notifyPeer ? 1 : 0))
        if let farewell = transmits.first {
            #expect(farewell.withUnsafeBytes { fixture.peer.engine.handle($0, now: fixture.start) } == .closed)
        }
        #expect(fixture.session.phase == .closed && fixture.session.pollTimeout() == nil)
        let (receipt, _) = try fixture.receive(SRTPTestPacket.rtp(sequence: 1), at: fixture.start)
        #expect(receipt == .dropped(.notReady), "the keys are gone")
        var hello = ForgedDTLSRecord.shapes[0].datagram
        #expect(
            hello.withUnsafeMutableBytes { fixture.session.handle($0, class: .dtls, now: fixture.start) } == .ignored)
    }

    /// The peer stops checking: ICE's consent runs out on the fake clock and the owner closes the session
    /// without a close_notify, since the peer is gone.
    @Test func consentExpiryClosesTheSessionWithoutACloseNotify() throws {
        let fixture = try SecureSessionFixture(timeouts: ICETimeouts(connect: .seconds(5), consent: .seconds(5)))
        try fixture.connect(at: fixture.start)
        try fixture.check(nominating: false, at: fixture.start + .seconds(4))
        #expect(fixture.agent.expiry(now: fixture.start + .seconds(8)) == nil, "a check at 4 s keeps it to 9 s")
        #expect(fixture.agent.expiry(now: fixture.start + .seconds(9)) == .consentExpired)
        fixture.close(notifyPeer: false)
        #expect(fixture.takeTransmits().isEmpty && fixture.session.phase == .closed)
    }
}
