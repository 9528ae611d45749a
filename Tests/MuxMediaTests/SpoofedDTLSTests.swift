import MuxCore
import MuxCrypto
import MuxIO
import MuxSessions
import MuxTestSupport
import Testing

/// Anyone can send a datagram from a connected peer's address. After the handshake, DTLS records without
/// the keys are dropped and counted, and media goes on.
@Suite struct SpoofedDTLSTests {
    private func unauthenticated(_ fixture: SecureEchoFixture) -> Int64 {
        fixture.counter("mediamux_media_dropped_total", [("reason", "dtls_unauthenticated")])
    }

    @Test func forgedRecordsFromTheSelectedAddressEndNothing() async throws {
        // The association is kept (a release delay longer than the test), so every record reaches it.
        let fixture = try await SecureEchoFixture(releaseDelay: .seconds(60))
        let (peer, srtp, session) = try await fixture.connectEchoPeer()
        #expect(try peer.echoes(1, with: srtp))
        for (index, (name, datagram)) in ForgedDTLSRecord.shapes.enumerated() {
            peer.socket.send(datagram, to: peer.server)
            #expect(await eventually { self.unauthenticated(fixture) == Int64(index + 1) }, "\(name)")
        }
        #expect(try peer.echoes(2, with: srtp))
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected)
        #expect(fixture.counter("mediamux_dtls_released_total", []) == 0)
        await fixture.stop()
    }

    @Test func forgedRecordsFromAnotherAuthenticatedAddressEndNothing() async throws {
        let fixture = try await SecureEchoFixture(releaseDelay: .seconds(60))
        let (peer, srtp, session) = try await fixture.connectEchoPeer()
        // A second path of the same session, checked but not nominated: bound, not selected.
        let backup = try UDPTestClient()
        #expect(backup.exchange(CheckRequest.make(for: session.snapshot.localCredentials), with: peer.server) != nil)
        for (_, datagram) in ForgedDTLSRecord.shapes { backup.send(datagram, to: peer.server) }
        #expect(await eventually { self.unauthenticated(fixture) == Int64(ForgedDTLSRecord.shapes.count) })
        // From an address no check authenticated, nothing reaches the session at all.
        let stranger = try UDPTestClient()
        stranger.send(ForgedDTLSRecord.shapes[0].datagram, to: peer.server)
        let server = "\(peer.server)"
        #expect(
            await eventually {
                fixture.counter("mediamux_udp_dropped_total", [("socket", server), ("reason", "unknown_address")]) == 1
            })
        #expect(try peer.echoes(1, with: srtp))
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected)
        await fixture.stop()
    }
}
