import Hummingbird
import HummingbirdTesting
import MuxAPI
import MuxCore
import MuxCrypto
import MuxICE
import MuxMedia
import MuxSDP
import MuxTestSupport
import Synchronization
import Testing

/// What a program that embeds mediamux gives the app builder: handlers of its own, by name, and for those that
/// send the peer's streams back under SSRCs of their own, what the answer announces (issue 11, item 5).
@Suite struct EmbeddingTests {
    /// A create body whose offer announces SSRC 1000.
    static func body(_ handler: String) -> String {
        let offer = RequestHandlingTests.offer().replacingOccurrences(
            of: "a=setup:actpass\r\n", with: "a=setup:actpass\r\na=ssrc:1000 cname:peer\r\n")
        return #"{"handler": "\#(handler)", "offer": "\#(offer.replacingOccurrences(of: "\r\n", with: "\\r\\n"))"}"#
    }

    @Test func anEmbeddedHandlerIsNamedByRequestsAndItsAnswerAnnouncesItsSSRCs() async throws {
        try await APIFixture.withApp(
            configuring: { _ in }, handlers: ["mirror": { _ in DiscardHandler() }],
            answerSSRCMasks: ["mirror": { _ in 0x0000_00FF }]
        ) { client, _ async throws in
            let created = try await client.call(.post, "/v1/rooms/r/sessions", json: Self.body("mirror"))
            #expect(created.status == .created)
            #expect(created.json["handler"] as? String == "mirror")
            let answer = try #require(created.json["answer"] as? String)
            #expect(answer.contains("a=ssrc:\(1000 ^ 0xFF) "), "the offer's SSRC XORed with the handler's mask")
        }
    }

    @Test func aHandlerWithoutAMaskAnnouncesNoSSRC() async throws {
        try await APIFixture.withApp(configuring: { _ in }, handlers: ["sink": { _ in DiscardHandler() }]) {
            client, _ async throws in
            let created = try await client.call(.post, "/v1/rooms/r/sessions", json: Self.body("sink"))
            #expect(created.status == .created)
            #expect((created.json["answer"] as? String)?.contains("a=ssrc:") == false)
        }
    }

    /// A media handler of the embedding program gets the peer's media decrypted, and what it sends back is
    /// encrypted with the session's keys: mediamux terminates DTLS-SRTP in front of it, on its own certificate.
    @Test func anEmbeddedMediaHandlerGetsDecryptedMediaBehindMediamuxsDTLS() async throws {
        let received = ReceivedPackets()
        try await APIFixture.withApp(
            configuring: { _ in }, mediaHandlers: ["recorder": { _ in RecordingEcho(received: received) }]
        ) { client, app async throws in
            let created = try await client.call(.post, "/v1/rooms/r/sessions", json: #"{"handler": "recorder"}"#)
            #expect(created.status == .created)
            let (socket, server) = try app.connectICE(created: created.json)
            let peer = try DTLSTestPeer(role: .client)
            let state = peer.handshake(timeout: .seconds(5), send: { socket.send($0, to: server) }) {
                socket.receive(timeout: $0)?.bytes
            }
            try #require(state == .connected)
            let signaled = try #require((created.json["dtls"] as? [String: Any])?["fingerprint"] as? String)
            let certificate = try #require(peer.engine.peerCertificateSHA256)
            #expect(signaled == Fingerprint.sha256(certificate).sdpValue, "the certificate is mediamux's own")
            let srtp = try peer.srtpSession()
            let plain = SRTPTestPacket.rtp(sequence: 1)
            let secret = try #require(SRTPTestPacket.protect(plain, with: srtp.outbound))
            let echoed = try #require(socket.exchange(secret, with: server), "the handler sent it back")
            #expect(try SRTPTestPacket.unprotect(echoed.bytes, with: srtp.inbound).get() == plain)
            #expect(received.packets.withLock { $0 } == [plain])
            // Counted per packet thread, and published for the scrape.
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"mediamux_srtp_packets_total{direction="in"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"mediamux_srtp_packets_total{direction="out"} 1"#))
        }
    }
}

private final class ReceivedPackets: Sendable {
    let packets = Mutex<[[UInt8]]>([])
}

/// Keeps what it receives and sends it back as it came.
private final class RecordingEcho: MediaHandler {
    private let received: ReceivedPackets
    private let sender = Mutex<(any MediaSender)?>(nil)

    init(received: ReceivedPackets) {
        self.received = received
    }

    func handleMediaReady(sender: any MediaSender) { self.sender.withLock { $0 = sender } }

    func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        self.received.packets.withLock { $0.append(Array(packet)) }
        _ = self.sender.withLock { $0 }?.sendMedia(packet, isRTCP: isRTCP)
    }

    func handleClose(reason: CloseReason) { self.sender.withLock { $0 = nil } }
}
