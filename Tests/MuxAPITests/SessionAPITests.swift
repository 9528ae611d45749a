import Hummingbird
import HummingbirdTesting
import MuxAPI
import MuxTestSupport
import Testing

@Suite struct SessionAPITests {
    @Test func createsReadsListsAndDeletesASession() async throws {
        try await APIFixture.withApp { client, _ async throws in
            let created = try await client.call(.post, "/v1/rooms/lobby/sessions", json: #"{"user": "ann"}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["room"] as? String == "lobby")
            #expect(created.json["user"] as? String == "ann")
            let ice = try #require(created.json["ice"] as? [String: Any])
            #expect(ice["lite"] as? Bool == true)
            #expect((ice["pwd"] as? String)?.count == 24)
            let candidates = try #require(ice["candidates"] as? [String])
            #expect(candidates.count == 2 && candidates[0].hasPrefix("candidate:1 1 udp 2130706431 127.0.0.1 "))
            #expect(candidates[0].hasSuffix(" typ host"))
            // The same port number over ICE-TCP, ranked below UDP.
            let port = candidates[0].split(separator: " ")[5]
            #expect(candidates[1] == "candidate:3 1 tcp 2124414975 127.0.0.1 \(port) typ host tcptype passive")

            let read = try await client.call(.get, "/v1/sessions/\(id)")
            #expect(read.status == .ok)
            #expect(read.json["state"] as? String == "new")
            #expect(
                (read.json["ice"] as? [String: Any])?["pwd"] == nil, "the password is only in the creation response")

            let listed = try await client.call(.get, "/v1/rooms/lobby/sessions")
            #expect((listed.json["sessions"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let rooms = try await client.call(.get, "/v1/rooms")
            #expect((rooms.json["rooms"] as? [[String: Any]])?.first?["sessions"] as? Int == 1)

            #expect(try await client.call(.delete, "/v1/sessions/\(id)").status == .noContent)
            let closed = try await client.call(.get, "/v1/sessions/\(id)")
            #expect(closed.json["state"] as? String == "closed")
            #expect(closed.json["close_reason"] as? String == "deleted")
            let again = try await client.call(.delete, "/v1/sessions/\(id)")
            #expect(again.status == .notFound && again.json.errorCode == "not_found")
        }
    }

    @Test func acceptsAnEmptyBodyAndRemoteCredentials() async throws {
        try await APIFixture.withApp { client, _ async throws in
            #expect(try await client.call(.post, "/v1/rooms/r/sessions").status == .created)
            let remote = #"{"remote": {"ufrag": "abcd", "pwd": "0123456789012345678901"}, "handler": "discard"}"#
            #expect(try await client.call(.post, "/v1/rooms/r/sessions", json: remote).status == .created)
        }
    }

    @Test func takesTheRemoteFingerprintInSDPFormOrBareAndAnswersWithItsOwn() async throws {
        try await APIFixture.withApp { client, _ async throws in
            let hex = (0..<32).map { _ in "AB" }.joined(separator: ":")
            for fingerprint in ["sha-256 \(hex)", "SHA-256 \(hex.lowercased())", hex] {
                let created = try await client.call(
                    .post, "/v1/rooms/r/sessions",
                    json: #"{"remote": {"fingerprint": "\#(fingerprint)", "setup": "passive"}}"#)
                #expect(created.status == .created, "\(fingerprint)")
                let dtls = try #require(created.json["dtls"] as? [String: Any])
                #expect(dtls["setup"] as? String == "active")
                #expect((dtls["fingerprint"] as? String)?.hasPrefix("sha-256 ") == true)
                #expect((dtls["fingerprint"] as? String)?.count == 8 + 32 * 3 - 1)
            }
            for bad in ["sha-1 \(hex)", "AB:CD", "sha-256 zz"] {
                let refused = try await client.call(
                    .post, "/v1/rooms/r/sessions", json: #"{"remote": {"fingerprint": "\#(bad)"}}"#)
                #expect(refused.status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func refusesBadInputWithJSONErrors() async throws {
        try await APIFixture.withApp { client, _ async throws in
            let cases: [(String, String?, HTTPResponse.Status, String)] = [
                ("/v1/rooms/bad%20room/sessions", nil, .badRequest, "bad_request"),
                ("/v1/rooms/r/sessions", "{not json", .badRequest, "bad_request"),
                (
                    "/v1/rooms/r/sessions", #"{"remote": {"ufrag": "a", "pwd": "0123456789012345678901"}}"#,
                    .badRequest, "bad_request"
                ),
                ("/v1/rooms/r/sessions", #"{"handler": "teleport"}"#, .badRequest, "bad_request"),
                ("/v1/rooms/r/sessions", #"{"user": 7}"#, .badRequest, "bad_request"),
            ]
            for (uri, body, status, code) in cases {
                let response = try await client.call(.post, uri, json: body)
                #expect(response.status == status, "\(uri) \(body ?? "")")
                #expect(response.json.errorCode == code, "\(uri) \(body ?? "")")
            }
            let unknown = try await client.call(.get, "/v1/sessions/0123456789abcdef")
            #expect(unknown.status == .notFound && unknown.json.errorCode == "not_found")
            let created = try await client.call(.post, "/v1/rooms/r/sessions")
            let id = try #require(created.json["id"] as? String)
            #expect(
                try await client.call(.get, "/v1/sessions/\(id.uppercased())").status == .notFound,
                "one spelling per session")
            let noRoute = try await client.call(.get, "/v2/nothing")
            #expect(noRoute.status == .notFound && noRoute.json.errorCode == "not_found")
        }
    }

    @Test func requiresTheBearerTokenExceptOnHealthz() async throws {
        try await APIFixture.withApp { client, _ async throws in
            let missing = try await client.call(.post, "/v1/rooms/r/sessions", token: nil)
            #expect(missing.status == .unauthorized && missing.json.errorCode == "unauthorized")
            #expect(try await client.call(.get, "/v1/rooms", token: "wrong").status == .unauthorized)
            #expect(try await client.call(.get, "/healthz", token: nil).status == .ok)
            var headers: HTTPFields = [:]
            headers[.authorization] = "bearer \(APIFixture.token)"
            #expect(
                try await client.execute(uri: "/v1/rooms", method: .get, headers: headers).status == .ok,
                "the scheme is case-insensitive")
        }
    }

    @Test func refusesOverCapsWithTheirReasons() async throws {
        try await APIFixture.withApp(configuring: {
            $0.mux.limits = .init(maxSessionsPerRoom: 2, maxSessionsPerUser: 1, maxSessionsTotal: 3)
        }) { client, _ async throws in
            #expect(try await client.call(.post, "/v1/rooms/a/sessions", json: #"{"user": "u"}"#).status == .created)
            let user = try await client.call(.post, "/v1/rooms/b/sessions", json: #"{"user": "u"}"#)
            #expect(user.status == .conflict && user.json.errorCode == "user_limit")
            #expect(try await client.call(.post, "/v1/rooms/a/sessions").status == .created)
            let room = try await client.call(.post, "/v1/rooms/a/sessions")
            #expect(room.status == .conflict && room.json.errorCode == "room_full")
            #expect(try await client.call(.post, "/v1/rooms/c/sessions").status == .created)
            let total = try await client.call(.post, "/v1/rooms/d/sessions")
            #expect(total.status == .serviceUnavailable && total.json.errorCode == "capacity")

            let metrics = try await client.metrics()
            for reason in ["user_limit", "room_full", "capacity"] {
                #expect(metrics.contains(#"mediamux_admission_refused_total{reason="\#(reason)"} 1"#), "\(reason)")
            }
            #expect(metrics.contains(#"mediamux_sessions{state="new"} 3"#))
        }
    }

    @Test func rateLimitsSessionCreation() async throws {
        try await APIFixture.withApp(configuring: { $0.api.maxCreatesPerSecond = 2 }) { client, _ async throws in
            let unknown = try await client.call(.post, "/v1/rooms/r/sessions", json: #"{"handler": "teleport"}"#)
            #expect(unknown.status == .badRequest, "refused before it spends the creation budget")
            // A budget of 2 a second, with a burst of 2: whatever else the machine is doing, no more are created
            // than the burst and what refilled while the requests ran.
            let started = ContinuousClock.now
            let statuses = try await (0..<10).asyncMap { _ in
                try await client.call(.post, "/v1/rooms/r/sessions").status
            }
            let elapsed = ContinuousClock.now - started
            let refilled = Int(elapsed / .milliseconds(500)) + 1
            #expect(Array(statuses.prefix(2)) == [.created, .created])
            #expect(statuses.filter { $0 == .created }.count <= 2 + refilled)
            #expect(statuses.contains(.tooManyRequests))
            #expect(statuses.allSatisfy { $0 == .created || $0 == .tooManyRequests })
        }
    }

    @Test func protectsMetricsWithItsOwnTokenWhenSet() async throws {
        try await APIFixture.withApp(configuring: { $0.api.metricsToken = "scraper" }) { client, _ async throws in
            #expect(try await client.metrics().contains("unauthorized"))
            #expect(try await client.metrics(token: "scraper").contains("mediamux_udp_packets_total"))
        }
    }
}
