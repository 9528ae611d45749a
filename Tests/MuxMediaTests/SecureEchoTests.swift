import Logging
import MetricsTestKit
import MuxCore
import MuxCrypto
import MuxICE
import MuxIO
import MuxMedia
import MuxSecure
import MuxSessions
import MuxTestSupport
import MuxWire
import Testing

/// A mux with the SRTP echo on loopback, and a client that speaks ICE, DTLS and SRTP over a real socket.
final class SecureEchoFixture: Sendable {
    let mux: SessionManager
    let metrics = TestMetrics()
    let admission = LocalAdmission(limits: .init())
    private let runner: Task<Void, any Error>

    init(
        releaseDelay: Duration = .zero, consentTimeout: Duration? = nil, ioThreads: Int = 1,
        tick: Duration = .milliseconds(20)
    ) async throws {
        var settings = MuxSettings()
        settings.udp.ioThreads = ioThreads
        if let consentTimeout { settings.timeouts.consent = consentTimeout }
        settings.udp.bindAddresses = [IPAddress("127.0.0.1")!]
        settings.udp.port = 0
        settings.udp.receiveBufferBytes = 1 << 20
        settings.tick = tick
        var media = MediaSettings()
        // Roomy: in a full parallel run the mux's ticks, which start a client handshake, share two cooperative
        // threads with tests that block on sockets, and a 2 s deadline once ran out before the first tick.
        media.handshakeTimeout = .seconds(5)
        media.releaseDelay = releaseDelay
        var logger = Logger(label: "media-test")
        logger.logLevel = .warning
        let dtls = try DTLSContext(certificate: DTLSCertificate.generate())
        let handlers = MediaHandlers.factories(
            dtls: dtls, settings: media, metrics: MediaMetrics(factory: self.metrics), logger: logger)
        let mux = try await SessionManager.bind(
            settings: settings, admission: self.admission, metricsFactory: self.metrics,
            handlers: SessionManager.standardHandlers.merging(handlers) { $1 }, logger: logger
        )
        self.mux = mux
        self.runner = Task { try await mux.run() }
    }

    func stop() async {
        self.runner.cancel()
        _ = await self.runner.result
    }

    /// The value of a counter, 0 if it was never made; the packet threads' counts are published first.
    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        self.mux.publishCounters()
        return (try? self.metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }

    /// A new `echo` session with a peer that finished ICE and DTLS, and the peer's SRTP keys.
    func connectEchoPeer() async throws -> (Peer, SRTPSession, CreatedSession) {
        let peer = try Peer(server: self.mux.singlePortAddresses[0])
        let session = try await self.mux.createSession(SessionRequest(room: "r", handler: "echo"))
        #expect(peer.connectICE(session))
        #expect(peer.handshake() == .connected)
        return (peer, try SRTPSession(keys: try #require(peer.engine.srtpKeys()), role: .client), session)
    }
}

/// The peer: ICE check, then a DTLS client handshake over `UDPTestClient`.
struct Peer {
    let socket: UDPTestClient
    let dtls: DTLSTestPeer
    let server: TransportAddress

    init(server: TransportAddress) throws {
        self.socket = try UDPTestClient()
        self.dtls = try DTLSTestPeer(role: .client)
        self.server = server
    }

    var certificate: DTLSCertificate { self.dtls.certificate }
    var engine: DTLSEngine { self.dtls.engine }

    /// Sends RTP `sequence` under `srtp` and says whether the echo came back and decrypts to it, under an
    /// SSRC of the echo's own.
    func echoes(_ sequence: UInt16, with srtp: SRTPSession) throws -> Bool {
        let plain = SRTPTestPacket.rtp(sequence: sequence)
        let secret = try #require(SRTPTestPacket.protect(plain, with: srtp.outbound))
        guard let echoed = self.socket.exchange(secret, with: self.server),
            let decrypted = try? SRTPTestPacket.unprotect(echoed.bytes, with: srtp.inbound).get()
        else { return false }
        return decrypted.count == plain.count && decrypted[8..<12] != plain[8..<12]
            && decrypted[..<8] == plain[..<8] && decrypted[12...] == plain[12...]
    }

    func connectICE(_ session: CreatedSession) -> Bool {
        let check = CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true)
        return self.socket.exchange(check, with: self.server) != nil
    }

    /// Runs the handshake until it connects or fails, within a deadline.
    func handshake(timeout: Duration = .seconds(5)) -> DTLSEngine.State {
        self.dtls.handshake(timeout: timeout, send: { self.socket.send($0, to: self.server) }) {
            self.socket.receive(timeout: $0)?.bytes
        }
    }
}

@Suite struct SecureEchoTests {
    @Test func echoesSRTPBackReEncryptedAfterADTLSHandshake() async throws {
        let fixture = try await SecureEchoFixture()
        let server = fixture.mux.singlePortAddresses[0]
        let peer = try Peer(server: server)
        let session = try await fixture.mux.createSession(
            SessionRequest(
                room: "r", handler: "echo",
                dtls: DTLSParameters(isServer: true, remoteFingerprint: peer.certificate.sha256)
            ))
        #expect(peer.connectICE(session))
        #expect(peer.handshake() == .connected)
        let srtp = try SRTPSession(keys: try #require(peer.engine.srtpKeys()), role: .client)
        #expect(await eventually { fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected })

        for sequence in UInt16(1)...5 {
            let plain = SRTPTestPacket.rtp(sequence: sequence)
            let secret = try #require(SRTPTestPacket.protect(plain, with: srtp.outbound))
            let echoed = try #require(peer.socket.exchange(secret, with: server))
            #expect(echoed.bytes != plain, "encrypted on the wire")
            // Back under the echo's own SSRC, the peer's XORed with the session's mask.
            var expected = plain
            expected.withUnsafeMutableBytes { EchoSSRCMask(session: session.snapshot.id).rewriteRTP($0) }
            #expect(expected[8..<12] != plain[8..<12])
            #expect(try SRTPTestPacket.unprotect(echoed.bytes, with: srtp.inbound).get() == expected)
        }
        // A replayed packet is dropped and counted; the session keeps flowing.
        let replayed = try #require(SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: 6), with: srtp.outbound))
        #expect(peer.socket.exchange(replayed, with: server) != nil)
        #expect(peer.socket.exchange(replayed, with: server, timeout: .milliseconds(200)) == nil)
        #expect(await eventually { fixture.counter("mediamux_media_dropped_total", [("reason", "srtp_replay")]) == 1 })
        let next = try #require(SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: 7), with: srtp.outbound))
        #expect(peer.socket.exchange(next, with: server) != nil)
        #expect(fixture.counter("mediamux_dtls_handshakes_total", [("result", "completed")]) == 1)
        await fixture.stop()
    }

    @Test func recordsHowLongMediamuxHeldEachEchoedPacket() async throws {
        let fixture = try await SecureEchoFixture()
        let (peer, srtp, _) = try await fixture.connectEchoPeer()
        for sequence in UInt16(1)...3 {
            let secret = try #require(
                SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: sequence), with: srtp.outbound))
            #expect(peer.socket.exchange(secret, with: peer.server) != nil)
        }
        let timer = try fixture.metrics.expectTimer(
            "mediamux_packet_residence_seconds", [("handler", "echo"), ("thread", "0")])
        // Recorded just after the sendmmsg, so possibly after the peer already read the echo.
        #expect(await eventually { timer.values.count >= 3 })
        #expect(timer.values.count == 3, "one per echoed packet; the DTLS flights and STUN answers are not media")
        #expect(timer.values.allSatisfy { $0 > 0 && $0 < 1_000_000_000 })
        await fixture.stop()
    }

    @Test func closesTheSessionWhenTheCertificateDoesNotMatchItsFingerprint() async throws {
        let fixture = try await SecureEchoFixture()
        let peer = try Peer(server: fixture.mux.singlePortAddresses[0])
        let someoneElse = try DTLSCertificate.generate()
        let session = try await fixture.mux.createSession(
            SessionRequest(
                room: "r", handler: "echo", dtls: DTLSParameters(isServer: true, remoteFingerprint: someoneElse.sha256)
            ))
        #expect(peer.connectICE(session))
        _ = peer.handshake(timeout: .seconds(2))
        let closed = await eventually {
            fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .dtlsFailed
        }
        #expect(closed)
        #expect(fixture.counter("mediamux_dtls_handshakes_total", [("result", "failed_fingerprint")]) == 1)
        await fixture.stop()
    }

    @Test func ignoresAClientHelloFromAnAddressICENeverAuthenticated() async throws {
        let fixture = try await SecureEchoFixture()
        let server = fixture.mux.singlePortAddresses[0]
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "echo"))
        let stranger = try Peer(server: server)
        stranger.engine.start(now: .now)
        let hello = try #require(stranger.engine.pollDatagram())
        #expect(stranger.socket.exchange(hello, with: server, timeout: .milliseconds(200)) == nil)
        #expect(
            await eventually {
                fixture.counter("mediamux_udp_dropped_total", [("socket", "\(server)"), ("reason", "unknown_address")])
                    == 1
            })
        #expect(fixture.counter("mediamux_dtls_handshakes_total", [("result", "started")]) == 0)
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .new)
        await fixture.stop()
    }

    @Test func closesASessionWhoseHandshakeNeverFinishes() async throws {
        let fixture = try await SecureEchoFixture()
        let peer = try Peer(server: fixture.mux.singlePortAddresses[0])
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "echo"))
        #expect(peer.connectICE(session))
        let closed = await eventually(timeout: .seconds(10)) {
            fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .dtlsFailed
        }
        #expect(closed)
        #expect(fixture.counter("mediamux_dtls_handshakes_total", [("result", "failed_timeout")]) == 1)
        await fixture.stop()
    }

    /// With the timers' usual interval, and with 10 s: the path's tick wakes the timer thread, so the handshake
    /// does not wait for the interval.
    @Test(arguments: [Duration.milliseconds(20), .seconds(10)])
    func actsAsDTLSClientForAPassivePeer(tick: Duration) async throws {
        let fixture = try await SecureEchoFixture(tick: tick)
        let server = fixture.mux.singlePortAddresses[0]
        let socket = try UDPTestClient()
        let peer = try DTLSTestPeer(role: .server)
        let session = try await fixture.mux.createSession(
            SessionRequest(room: "r", handler: "echo", dtls: DTLSParameters(isServer: false)))
        #expect(
            socket.exchange(CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true), with: server)
                != nil)
        let state = peer.handshake(timeout: .seconds(5), send: { socket.send($0, to: server) }) {
            socket.receive(timeout: $0)?.bytes
        }
        #expect(state == .connected)
        #expect(await eventually { fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected })
        await fixture.stop()
    }
}

@Suite struct RoomRelayTests {
    @Test func relaysMediaBetweenTheSessionsOfARoom() async throws {
        let fixture = try await SecureEchoFixture()
        let server = fixture.mux.singlePortAddresses[0]
        var peers: [(Peer, SRTPSession)] = []
        for _ in 0..<2 {
            let peer = try Peer(server: server)
            let session = try await fixture.mux.createSession(SessionRequest(room: "call", handler: "room"))
            #expect(peer.connectICE(session))
            #expect(peer.handshake() == .connected)
            peers.append((peer, try SRTPSession(keys: try #require(peer.engine.srtpKeys()), role: .client)))
        }
        let (alice, aliceSRTP) = peers[0]
        let (bob, bobSRTP) = peers[1]
        let plain = SRTPTestPacket.rtp(sequence: 1)
        alice.socket.send(try #require(SRTPTestPacket.protect(plain, with: aliceSRTP.outbound)), to: server)
        let atBob = try #require(bob.socket.receive())
        #expect(try SRTPTestPacket.unprotect(atBob.bytes, with: bobSRTP.inbound).get() == plain)
        #expect(alice.socket.receive(timeout: .milliseconds(200)) == nil, "a sender does not hear itself")
        await fixture.stop()
    }

    /// Two packet threads; peers join until one member's datagrams hash to each thread (the thread that cached
    /// its tuple), and those two hear each other.
    @Test func membersOnDifferentPacketThreadsHearEachOther() async throws {
        let fixture = try await SecureEchoFixture(ioThreads: 2)
        let server = fixture.mux.singlePortAddresses[0]
        var members: [Int: (Peer, SRTPSession)] = [:]
        for _ in 0..<24 where members.count < 2 {
            let before = await fixture.mux.transport.cachedMediaRoutesByThread()
            let peer = try Peer(server: server)
            let session = try await fixture.mux.createSession(SessionRequest(room: "call", handler: "room"))
            #expect(peer.connectICE(session))
            #expect(peer.handshake() == .connected)
            let after = await fixture.mux.transport.cachedMediaRoutesByThread()
            let thread = try #require(after.indices.first { after[$0] == before[$0] + 1 }, "\(before) -> \(after)")
            if members[thread] == nil {
                members[thread] = (peer, try SRTPSession(keys: try #require(peer.engine.srtpKeys()), role: .client))
            } else {
                #expect(await fixture.mux.closeSession(session.snapshot.id, reason: .deleted))
            }
        }
        let onFirst = try #require(members[0])
        let onSecond = try #require(members[1])
        #expect(await fixture.mux.transport.cachedMediaRoutesByThread() == [1, 1])
        for (sequence, (from, to)) in [(onFirst, onSecond), (onSecond, onFirst)].enumerated() {
            let plain = SRTPTestPacket.rtp(sequence: UInt16(sequence + 1))
            from.0.socket.send(try #require(SRTPTestPacket.protect(plain, with: from.1.outbound)), to: server)
            let heard = try #require(to.0.socket.receive())
            #expect(try SRTPTestPacket.unprotect(heard.bytes, with: to.1.inbound).get() == plain)
        }
        await fixture.stop()
    }
}

@Suite struct PeerCloseTests {
    @Test func aCloseNotifyFromThePeerClosesTheSessionAsPeerClosed() async throws {
        let fixture = try await SecureEchoFixture()
        let (peer, _, session) = try await fixture.connectEchoPeer()
        peer.engine.shutdown()
        while let datagram = peer.engine.pollDatagram() { peer.socket.send(datagram, to: peer.server) }
        let closed = await eventually {
            fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .peerClosed
        }
        #expect(closed)
        // Closed by its handler on the packet thread, released by the mux's task: nothing is left anywhere.
        #expect(await eventually { fixture.admission.total == 0 })
        #expect(fixture.mux.tableSizes.isEmpty)
        #expect(await fixture.mux.cachedMediaRoutes() == 0)
        await fixture.stop()
    }
}
