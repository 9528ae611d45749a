import MuxCore
import MuxCrypto
import MuxIO
import MuxSessions
import MuxTestSupport
import Testing

/// A session frees its DTLS association once the peer's SRTP proves the handshake done, and still closes politely.
@Suite struct DTLSReleaseTests {
    @Test func releasesTheAssociationOnThePeersFirstSRTPAndDropsLaterRecords() async throws {
        let fixture = try await SecureEchoFixture()
        let (peer, srtp, session) = try await fixture.connectEchoPeer()
        #expect(fixture.counter("mediamux_dtls_released_total", []) == 0, "keys alone prove nothing about the peer")
        #expect(try peer.echoes(1, with: srtp))
        #expect(await eventually { fixture.counter("mediamux_dtls_released_total", []) == 1 })

        // The peer's own close_notify is a valid record of the association, but nothing is left to check it
        // against: it is dropped like any other, and media goes on.
        peer.engine.shutdown()
        while let datagram = peer.engine.pollDatagram() { peer.socket.send(datagram, to: peer.server) }
        #expect(
            await eventually {
                fixture.counter("mediamux_media_dropped_total", [("reason", "dtls_after_release")]) == 1
            })
        #expect(try peer.echoes(2, with: srtp))
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected)
        await fixture.stop()
    }

    @Test func keepsTheAssociationForTheReleaseDelayWhateverSRTPArrives() async throws {
        let fixture = try await SecureEchoFixture(releaseDelay: .milliseconds(800))
        let (peer, srtp, _) = try await fixture.connectEchoPeer()
        let connected = ContinuousClock.now
        #expect(try peer.echoes(1, with: srtp))
        #expect(
            fixture.counter("mediamux_dtls_released_total", []) == 0
                || ContinuousClock.now - connected >= .milliseconds(800))
        var sequence: UInt16 = 2
        let released = await eventually(timeout: .seconds(5)) {
            sequence += 1
            _ = try? peer.echoes(sequence, with: srtp)
            return fixture.counter("mediamux_dtls_released_total", []) == 1
        }
        #expect(released)
        // The server's handshake ends a round trip before the peer's, where `connected` was read.
        #expect(ContinuousClock.now - connected >= .milliseconds(750))
        await fixture.stop()
    }

    @Test func deletingAReleasedSessionSendsTheCloseNotifySealedAtRelease() async throws {
        let fixture = try await SecureEchoFixture()
        let (peer, srtp, session) = try await fixture.connectEchoPeer()
        #expect(try peer.echoes(1, with: srtp))
        #expect(await eventually { fixture.counter("mediamux_dtls_released_total", []) == 1 })
        #expect(try peer.echoes(2, with: srtp))

        #expect(await fixture.mux.deleteSession(session.snapshot.id))
        let farewell = try #require(peer.socket.receive())
        #expect(farewell.bytes.withUnsafeBytes { peer.engine.handle($0, now: .now) } == .closed)
        await fixture.stop()
    }

    @Test func deletingASessionBeforeItsFirstSRTPSendsCloseNotify() async throws {
        let fixture = try await SecureEchoFixture()
        let (peer, _, session) = try await fixture.connectEchoPeer()
        #expect(await fixture.mux.deleteSession(session.snapshot.id))
        let farewell = try #require(peer.socket.receive())
        #expect(farewell.bytes.withUnsafeBytes { peer.engine.handle($0, now: .now) } == .closed)
        #expect(fixture.counter("mediamux_dtls_released_total", []) == 0)
        await fixture.stop()
    }
}
