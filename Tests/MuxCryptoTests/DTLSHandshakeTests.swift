import MuxCrypto
import MuxTestSupport
import Testing

/// Two engines in one process, datagrams passed by hand: no sockets, and a clock that moves only when a
/// test says so.
struct Pair {
    let now = ContinuousClock.now
    let serverCertificate: DTLSCertificate
    let clientCertificate: DTLSCertificate
    let server: DTLSEngine
    let client: DTLSEngine

    init() throws {
        self.serverCertificate = try DTLSCertificate.generate()
        self.clientCertificate = try DTLSCertificate.generate()
        self.server = try DTLSEngine(context: DTLSContext(certificate: self.serverCertificate), role: .server)
        self.client = try DTLSEngine(context: DTLSContext(certificate: self.clientCertificate), role: .client)
    }

    /// Moves datagrams both ways until neither side has anything to send; `observe` sees each one.
    /// Returns how many moved.
    @discardableResult
    func exchange(maxRounds: Int = 20, observe: ([UInt8]) -> Void = { _ in }) -> Int {
        var moved = 0
        for _ in 0..<maxRounds {
            var progressed = false
            for (from, to) in [(self.client, self.server), (self.server, self.client)] {
                while let datagram = from.pollDatagram() {
                    observe(datagram)
                    datagram.withUnsafeBytes { _ = to.handle($0, now: self.now) }
                    moved += 1
                    progressed = true
                }
            }
            if !progressed { break }
        }
        return moved
    }
}

@Suite struct DTLSHandshakeTests {
    @Test func completesAHandshakeAndAgreesOnSRTPKeys() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        let moved = pair.exchange()
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
        #expect(moved <= 6, "two flights each way, packed up to the MTU")
        #expect(pair.server.peerCertificateSHA256 == pair.clientCertificate.sha256)
        #expect(pair.client.peerCertificateSHA256 == pair.serverCertificate.sha256)
        let serverKeys = try #require(pair.server.srtpKeys())
        #expect(serverKeys == pair.client.srtpKeys())
        #expect(serverKeys.profile == .aeadAES128GCM)
        #expect(pair.client.pollTimeout() == nil)
    }

    @Test func keepsEveryDatagramWithinTheMTU() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        var sizes: [Int] = []
        pair.exchange { sizes.append($0.count) }
        #expect(pair.server.state == .connected)
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 <= 1200 })
    }

    @Test func opensslReadsTheClockTheEngineGivesIt() {
        #expect(DTLSEngine.clockFollowsCaller)
    }

    /// The timer runs on the instants given, not on the system's clock: a lost ClientHello is sent again when
    /// the fake clock reaches 1 s, not before, and the handshake then completes.
    @Test func retransmitsALostClientHelloWhenTheGivenClockReachesItsTimeout() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        let lost = try #require(pair.client.pollDatagram())
        #expect(pair.client.pollTimeout() == pair.now + .seconds(1))
        pair.client.handleTimeout(now: pair.now + .milliseconds(900))
        #expect(pair.client.pollDatagram() == nil, "not due yet")
        pair.client.handleTimeout(now: pair.now + .seconds(1))
        let again = try #require(pair.client.pollDatagram())
        #expect(again.count == lost.count && again != lost, "the same ClientHello under a new record sequence number")
        #expect(pair.client.pollTimeout() == pair.now + .seconds(3), "the timer doubles (RFC 6347, 4.2.4.1)")
        again.withUnsafeBytes { _ = pair.server.handle($0, now: pair.now + .seconds(1)) }
        pair.exchange()
        #expect(pair.client.state == .connected && pair.server.state == .connected)
        #expect(pair.client.pollTimeout() == nil && pair.server.pollTimeout() == nil)
    }

    @Test func theServerRetransmitsItsLostFlight() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        let hello = try #require(pair.client.pollDatagram())
        let later = pair.now + .milliseconds(300)
        hello.withUnsafeBytes { _ = pair.server.handle($0, now: later) }
        var lostFlight = 0
        while pair.server.pollDatagram() != nil { lostFlight += 1 }
        #expect(lostFlight > 0)
        #expect(pair.server.pollTimeout() == later + .seconds(1))
        pair.server.handleTimeout(now: later + .seconds(1))
        var resent = 0
        while let datagram = pair.server.pollDatagram() {
            datagram.withUnsafeBytes { _ = pair.client.handle($0, now: later + .seconds(1)) }
            resent += 1
        }
        #expect(resent == lostFlight, "packed into datagrams as the first time, though OpenSSL flushes per message")
        pair.exchange()
        #expect(pair.client.state == .connected && pair.server.state == .connected)
    }

    /// Twelve retransmissions unanswered, at 1, 2, 4 ... 60 s, fail the handshake: over seven minutes of the
    /// given clock, run in no time.
    @Test func failsAfterRetransmittingTooOftenWithoutAnAnswer() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        var timeouts: [Duration] = []
        while case .handshaking = pair.client.state, let due = pair.client.pollTimeout(), timeouts.count < 20 {
            timeouts.append(due - pair.now)
            pair.client.handleTimeout(now: due)
            while pair.client.pollDatagram() != nil {}
        }
        guard case .failed = pair.client.state else {
            Issue.record("still \(pair.client.state) after \(timeouts.count) timeouts")
            return
        }
        #expect(Array(timeouts.prefix(7)) == [1, 3, 7, 15, 31, 63, 123].map { Duration.seconds($0) })
        #expect(timeouts.count == 13)
    }

    /// Empty datagrams and records shorter than their headers say are discarded (RFC 6347, 4.1.2.7) and
    /// the real handshake still completes.
    @Test func ignoresTruncatedRecords() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        let hello = try #require(pair.client.pollDatagram())
        for length in [0, 1, 5, 13, 14, 60, hello.count - 1] {
            Array(hello.prefix(length)).withUnsafeBytes { _ = pair.server.handle($0, now: pair.now) }
        }
        #expect(pair.server.state == .handshaking)
        hello.withUnsafeBytes { _ = pair.server.handle($0, now: pair.now) }
        pair.exchange()
        #expect(pair.server.state == .connected)
    }

    /// Well-framed handshake records with random contents make OpenSSL abort the handshake (a fatal
    /// decode alert), so they fail the association rather than crash it or let it connect. The media
    /// layer turns that into `dtls_failed` for this session alone.
    @Test func failsClosedOnGarbageHandshakeRecords() throws {
        let pair = try Pair()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let body = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            let length = UInt16(body.count)
            let record = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF)] + body
            record.withUnsafeBytes { _ = pair.server.handle($0, now: pair.now) }
            #expect(pair.server.state != .connected)
        }
        #expect(pair.server.srtpKeys() == nil)
    }

    @Test func closeNotifyClosesThePeer() throws {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        pair.exchange()
        pair.client.shutdown()
        pair.exchange()
        #expect(pair.server.state == .closed)
    }

    @Test func everyCertificateHasItsOwnDigest() throws {
        let first = try DTLSCertificate.generate()
        let second = try DTLSCertificate.generate()
        #expect(first.sha256.count == 32)
        #expect(first.sha256 != second.sha256)
    }
}

@Suite struct SRTPTests {
    static func connectedSessions() throws -> (server: SRTPSession, client: SRTPSession) {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        pair.exchange()
        let keys = try #require(pair.server.srtpKeys())
        return (try SRTPSession(keys: keys, role: .server), try SRTPSession(keys: keys, role: .client))
    }

    @Test func protectsAndUnprotectsBothWays() throws {
        let (server, client) = try Self.connectedSessions()
        let plain = SRTPTestPacket.rtp(sequence: 1)
        let secret = try #require(SRTPTestPacket.protect(plain, with: client.outbound))
        #expect(secret != plain && secret.count > plain.count)
        #expect(try SRTPTestPacket.unprotect(secret, with: server.inbound).get() == plain)
        let back = try #require(SRTPTestPacket.protect(plain, with: server.outbound))
        #expect(try SRTPTestPacket.unprotect(back, with: client.inbound).get() == plain)
    }

    @Test func protectsRTCP() throws {
        let (server, client) = try Self.connectedSessions()
        let receiverReport: [UInt8] = [0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]
        let secret = try #require(SRTPTestPacket.protect(receiverReport, with: client.outbound, isRTCP: true))
        #expect(try SRTPTestPacket.unprotect(secret, with: server.inbound, isRTCP: true).get() == receiverReport)
    }

    @Test func refusesReplaysAndForgeries() throws {
        let (server, client) = try Self.connectedSessions()
        let secret = try #require(SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: 7), with: client.outbound))
        #expect((try? SRTPTestPacket.unprotect(secret, with: server.inbound).get()) != nil)
        #expect(SRTPTestPacket.unprotect(secret, with: server.inbound) == .failure(.replay))
        var forged = try #require(SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: 8), with: client.outbound))
        forged[20] ^= 0x01
        #expect(SRTPTestPacket.unprotect(forged, with: server.inbound) == .failure(.authentication))
        #expect(
            (try? SRTPTestPacket.unprotect([0x80, 111, 0, 9], with: server.inbound).get()) == nil, "too short for SRTP")
    }
}

/// After the handshake, nothing without the keys ends an association (RFC 6347, section 4.1.2.7: invalid
/// records are discarded).
@Suite struct ForgedRecordTests {
    private func connectedPair() throws -> Pair {
        let pair = try Pair()
        pair.client.start(now: pair.now)
        pair.exchange()
        #expect(pair.server.state == .connected && pair.client.state == .connected)
        return pair
    }

    @Test(arguments: [DTLSRole.server, .client])
    func discardsEveryForgedRecordShapeAndStaysConnected(role: DTLSRole) throws {
        let pair = try self.connectedPair()
        let engine = role == .server ? pair.server : pair.client
        for (name, datagram) in ForgedDTLSRecord.shapes {
            let state = datagram.withUnsafeBytes { engine.handle($0, now: pair.now) }
            #expect(state == .connected, "\(name)")
            #expect(engine.discardedLastDatagram, "\(name)")
            #expect(engine.pollDatagram() == nil, "\(name): no answer to a forgery")
        }
        // The peer's own close_notify still ends it.
        let peer = role == .server ? pair.client : pair.server
        peer.shutdown()
        let closeNotify = try #require(peer.pollDatagram())
        #expect(closeNotify.withUnsafeBytes { engine.handle($0, now: pair.now) } == .closed)
        #expect(!engine.discardedLastDatagram)
    }

    /// Found by FuzzDTLS: an empty datagram reached a connected association without being counted.
    @Test func anEmptyDatagramIsDiscardedToo() throws {
        let pair = try self.connectedPair()
        #expect([UInt8]().withUnsafeBytes { pair.server.handle($0, now: pair.now) } == .connected)
        #expect(pair.server.discardedLastDatagram)
    }

    @Test func aReplayedCloseNotifyIsDiscardedLikeAForgery() throws {
        let pair = try self.connectedPair()
        // A genuine record, seen once by a different association: to this one it does not authenticate.
        let other = try self.connectedPair()
        other.client.shutdown()
        let foreign = try #require(other.client.pollDatagram())
        #expect(foreign.withUnsafeBytes { pair.server.handle($0, now: pair.now) } == .connected)
        #expect(pair.server.discardedLastDatagram)
    }
}
