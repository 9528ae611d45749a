import Foundation
import MuxCore
import MuxCrypto
import MuxIO
import MuxMedia
import MuxSessions
import MuxTestSupport
import MuxWire
import Testing

/// What keeps a connected session alive without consent checks (issue 10, item 5): SRTP or SRTCP that
/// authenticates, from the selected tuple. A Binding indication, which anyone can forge, does not.
@Suite struct ConsentFromMediaTests {
    /// Longer than a debug build's handshake in a full parallel run, which once outlasted a 1 s timeout before
    /// any media was sent.
    static let consent = Duration.seconds(2)

    static func isLive(_ fixture: SecureEchoFixture, _ session: CreatedSession) -> Bool {
        fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected
    }

    /// Sends a packet every 200 ms for two consent timeouts and says whether the session lasted. On a thread
    /// of its own: in a full parallel run a task's sleep on the cooperative threads once overslept the whole
    /// consent timeout, and the peer then really was silent.
    static func lasts(
        _ fixture: SecureEchoFixture, _ session: CreatedSession, sending packet: @escaping () -> Void
    ) async -> Bool {
        await onOwnThread {
            let end = ContinuousClock.now + Self.consent * 2
            while ContinuousClock.now < end {
                packet()
                guard Self.isLive(fixture, session) else { return false }
                usleep(200_000)  // the pace of the traffic, not a wait for state
            }
            return Self.isLive(fixture, session)
        }
    }

    @Test func authenticatedSRTPAndSRTCPKeepTheSessionWithoutChecks() async throws {
        let fixture = try await SecureEchoFixture(consentTimeout: Self.consent)
        let (peer, srtp, session) = try await fixture.connectEchoPeer()
        var sequence: UInt16 = 0
        #expect(
            await Self.lasts(fixture, session) {
                sequence += 1
                SRTPTestPacket.protect(SRTPTestPacket.rtp(sequence: sequence), with: srtp.outbound).map {
                    peer.socket.send($0, to: peer.server)
                }
            })
        // A receive-only peer: RTCP alone.
        #expect(
            await Self.lasts(fixture, session) {
                SRTPTestPacket.protect(SRTPTestPacket.receiverReport, with: srtp.outbound, isRTCP: true).map {
                    peer.socket.send($0, to: peer.server)
                }
            })
        await fixture.stop()
    }

    @Test func bindingIndicationsAndForgedMediaDoNot() async throws {
        let fixture = try await SecureEchoFixture(consentTimeout: Self.consent)
        let (peer, _, session) = try await fixture.connectEchoPeer()
        // libnice's keepalive: a Binding indication, no integrity.
        let indication: [UInt8] = [0x00, 0x11, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 7, count: 12)
        let forged = SRTPTestPacket.rtp(sequence: 9) + Array(repeating: 0, count: 10)
        // It must close as if nothing came. The deadline is generous: in a full parallel run the mux's timer
        // task shares two cooperative threads with tests that block on sockets, and once took over 3 s.
        let end = ContinuousClock.now + .seconds(15)
        while Self.isLive(fixture, session), ContinuousClock.now < end {
            peer.socket.send(indication, to: peer.server)
            peer.socket.send(forged, to: peer.server)
            try await Task.sleep(for: .milliseconds(200))  // the pace of the traffic, not a wait for state
        }
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .consentExpired)
        await fixture.stop()
    }
}
