import Hummingbird
import HummingbirdTesting
import MuxAPI
import MuxCore
import MuxMedia
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
}
