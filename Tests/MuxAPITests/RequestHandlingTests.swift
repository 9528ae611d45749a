import Hummingbird
import HummingbirdTesting
import MuxAPI
import MuxICE
import MuxTestSupport
import MuxWire
import Testing

/// Paths, methods, offers and states as a client sees them (issue 10, items 7 and 8).
@Suite struct RequestHandlingTests {
    /// A minimal bundled offer, as a browser would send it, with the ICE credentials left to the test.
    static func offer(ufrag: String = "pTwJ", pwd: String = "dykPZHQ8q2Syfe3hznuapl") -> String {
        let fingerprint = Array(repeating: "4F", count: 32).joined(separator: ":")
        return [
            "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2", "a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(pwd)",
            "a=fingerprint:sha-256 \(fingerprint)", "a=setup:actpass", "",
        ].joined(separator: "\r\n")
    }

    static func body(offer: String) -> String {
        #"{"offer": "\#(offer.replacingOccurrences(of: "\r\n", with: "\\r\\n"))"}"#
    }

    @Test func decodesAPercentEncodedRoomAsTheDemoPageSendsIt() async throws {
        try await APIFixture.withApp { client, _ async throws in
            let created = try await client.call(.post, "/v1/rooms/team%3Aa%40b/sessions")
            #expect(created.status == .created)
            #expect(created.json["room"] as? String == "team:a@b")
            let listed = try await client.call(.get, "/v1/rooms/team%3Aa%40b/sessions")
            #expect((listed.json["sessions"] as? [Any])?.count == 1)
            #expect(try await client.call(.post, "/v1/rooms/bad%ZZ/sessions").status == .badRequest)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await APIFixture.withApp { client, _ async throws in
            for (method, uri, allow) in [
                (HTTPRequest.Method("TRACE")!, "/v1/rooms", "GET"), (.put, "/v1/rooms", "GET"),
                (.delete, "/v1/rooms/r/sessions", "GET, POST"), (.post, "/v1/sessions/0123456789abcdef", "GET, DELETE"),
                (.post, "/healthz", "GET"),
            ] {
                let response = try await client.execute(
                    uri: uri, method: method, headers: [.authorization: "Bearer \(APIFixture.token)"])
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[.allow] == allow, "\(method) \(uri)")
            }
            #expect(try await client.call(.get, "/v2/nothing").status == .notFound)
        }
    }

    @Test(arguments: [
        ("abc", "dykPZHQ8q2Syfe3hznuapl", "a=ice-ufrag"),
        (String(repeating: "u", count: 300), "dykPZHQ8q2Syfe3hznuapl", "a=ice-ufrag"),
        ("pTwJ", "short", "a=ice-pwd"),
    ])
    func refusesOfferedICECredentialsThatBreakRFC8839(ufrag: String, pwd: String, attribute: String) async throws {
        try await APIFixture.withApp { client, _ async throws in
            let refused = try await client.call(
                .post, "/v1/rooms/r/sessions", json: Self.body(offer: Self.offer(ufrag: ufrag, pwd: pwd)))
            #expect(refused.status == .badRequest)
            #expect((refused.json.errorMessage ?? "").contains(attribute), "\(refused.json)")
        }
        try await APIFixture.withApp { client, _ async throws in
            let accepted = try await client.call(.post, "/v1/rooms/r/sessions", json: Self.body(offer: Self.offer()))
            #expect(accepted.status == .created)
        }
    }

    @Test func reportsICEApartFromTheHandshake() async throws {
        try await APIFixture.withApp { client, app async throws in
            let created = try await client.call(.post, "/v1/rooms/r/sessions", json: #"{"handler": "echo"}"#)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["state"] as? String == "new")
            #expect((created.json["ice"] as? [String: Any])?["state"] as? String == "new")
            _ = try app.connectICE(created: created.json)
            // ICE is done; the DTLS handshake has not started, so media cannot flow yet.
            let read = try await client.call(.get, "/v1/sessions/\(id)")
            #expect(read.json["state"] as? String == "handshaking")
            #expect((read.json["ice"] as? [String: Any])?["state"] as? String == "connected")
        }
    }
}
