import MuxCrypto
import Testing

/// Two engines in one process, datagrams passed by hand: no sockets, no clock.
struct Pair {
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

    /// Moves datagrams both ways until neither side has anything to send. Returns how many moved.
    @discardableResult
    func exchange(maxRounds: Int = 20) -> Int {
        var moved = 0
        for _ in 0..<maxRounds {
            var progressed = false
            while let datagram = self.client.pollDatagram() {
                datagram.withUnsafeBytes { _ = self.server.handle($0) }
                moved += 1
                progressed = true
            }
            while let datagram = self.server.pollDatagram() {
                datagram.withUnsafeBytes { _ = self.client.handle($0) }
                moved += 1
                progressed = true
            }
            if !progressed { break }
        }
        return moved
    }
}

@Suite struct DTLSHandshakeTests {
    @Test func completesAHandshakeAndAgreesOnSRTPKeys() throws {
        let pair = try Pair()
        pair.client.start()
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
        pair.client.start()
        var sizes: [Int] = []
        for _ in 0..<10 {
            var progressed = false
            while let datagram = pair.client.pollDatagram() {
                sizes.append(datagram.count)
                datagram.withUnsafeBytes { _ = pair.server.handle($0) }
                progressed = true
            }
            while let datagram = pair.server.pollDatagram() {
                sizes.append(datagram.count)
                datagram.withUnsafeBytes { _ = pair.client.handle($0) }
                progressed = true
            }
            if !progressed { break }
        }
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 <= 1200 })
    }

    @Test func aRetransmissionTimerRunsWhileHandshaking() throws {
        let pair = try Pair()
        pair.client.start()
        #expect(pair.client.pollTimeout() != nil)
    }

    @Test func survivesGarbageAndTruncatedRecords() throws {
        let pair = try Pair()
        pair.client.start()
        let hello = try #require(pair.client.pollDatagram())
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 5, 13, 14, 60] {
            let truncated = Array(hello.prefix(length))
            truncated.withUnsafeBytes { _ = pair.server.handle($0) }
        }
        for _ in 0..<200 {
            let garbage = [UInt8(22), 0xFE, 0xFD] + (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            garbage.withUnsafeBytes { _ = pair.server.handle($0) }
        }
        // Junk is ignored by DTLS (RFC 6347, 4.1.2.7): the real handshake still completes.
        if pair.server.state == .handshaking {
            hello.withUnsafeBytes { _ = pair.server.handle($0) }
            pair.exchange()
            #expect(pair.server.state == .connected)
        }
    }

    @Test func closeNotifyClosesThePeer() throws {
        let pair = try Pair()
        pair.client.start()
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
        pair.client.start()
        pair.exchange()
        let keys = try #require(pair.server.srtpKeys())
        return (try SRTPSession(keys: keys, role: .server), try SRTPSession(keys: keys, role: .client))
    }

    static func rtp(sequence: UInt16, payload: Int = 160) -> [UInt8] {
        [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0, 0x12, 0x34, 0x56, 0x78]
            + [UInt8](repeating: 0xAA, count: payload)
    }

    /// Protects into a buffer with room for the trailer, as the I/O path will.
    static func protect(_ packet: [UInt8], with context: SRTPContext, isRTCP: Bool = false) -> [UInt8]? {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPContext.maxTrailer)
        let result = buffer.withUnsafeMutableBytes { context.protect($0, length: packet.count, isRTCP: isRTCP) }
        guard case .success(let length) = result else { return nil }
        return Array(buffer.prefix(length))
    }

    static func unprotect(_ packet: [UInt8], with context: SRTPContext, isRTCP: Bool = false) -> Result<[UInt8], SRTPFailure> {
        var buffer = packet
        return buffer.withUnsafeMutableBytes { context.unprotect($0, length: packet.count, isRTCP: isRTCP) }.map { Array(buffer.prefix($0)) }
    }

    @Test func protectsAndUnprotectsBothWays() throws {
        let (server, client) = try Self.connectedSessions()
        let plain = Self.rtp(sequence: 1)
        let secret = try #require(Self.protect(plain, with: client.outbound))
        #expect(secret != plain && secret.count > plain.count)
        #expect(try Self.unprotect(secret, with: server.inbound).get() == plain)
        let back = try #require(Self.protect(plain, with: server.outbound))
        #expect(try Self.unprotect(back, with: client.inbound).get() == plain)
    }

    @Test func protectsRTCP() throws {
        let (server, client) = try Self.connectedSessions()
        let receiverReport: [UInt8] = [0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]
        let secret = try #require(Self.protect(receiverReport, with: client.outbound, isRTCP: true))
        #expect(try Self.unprotect(secret, with: server.inbound, isRTCP: true).get() == receiverReport)
    }

    @Test func refusesReplaysAndForgeries() throws {
        let (server, client) = try Self.connectedSessions()
        let secret = try #require(Self.protect(Self.rtp(sequence: 7), with: client.outbound))
        #expect((try? Self.unprotect(secret, with: server.inbound).get()) != nil)
        #expect(Self.unprotect(secret, with: server.inbound) == .failure(.replay))
        var forged = try #require(Self.protect(Self.rtp(sequence: 8), with: client.outbound))
        forged[20] ^= 0x01
        #expect(Self.unprotect(forged, with: server.inbound) == .failure(.authentication))
        #expect(Self.unprotect([0x80, 111, 0, 9], with: server.inbound) != .success([]))
    }
}
