import Hummingbird
import HummingbirdTesting
import MuxAPI
import MuxCore
import Testing

/// The admission store is injected, and one that cannot answer admits nothing (issue 11, item 4).
@Suite struct AdmissionStoreTests {
    /// A shared store that is down: every reservation fails, and records what it was asked.
    final class UnreachableStore: AdmissionStore {
        func reserve(_ ticket: AdmissionTicket) async -> AdmissionRefusal? { .unavailable }
        func release(_ ticket: AdmissionTicket) async {}
    }

    @Test func anUnreachableStoreIs503AdmissionUnavailableAndNothingIsCreated() async throws {
        try await APIFixture.withApp(configuring: { _ in }, admission: UnreachableStore()) { client, app async throws in
            let refused = try await client.call(.post, "/v1/rooms/r/sessions", json: #"{"user": "ann"}"#)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.json.errorCode == "admission_unavailable")
            #expect(app.mux.tableSizes.isEmpty)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(
                String(buffer: metrics.body).contains(
                    #"mediamux_admission_refused_total{reason="admission_unavailable"} 1"#))
        }
    }

    @Test func theStoreGetsTicketsNamingSessionAndNodeAndEachReleaseOnce() async throws {
        let store = LocalAdmission(limits: .init())
        try await APIFixture.withApp(configuring: { $0.mux.nodeID = "node-a" }, admission: store) {
            client, _ async throws in
            let created = try await client.call(.post, "/v1/rooms/r/sessions")
            let id = try #require(created.json["id"] as? String)
            #expect(store.total == 1)
            #expect(store.holds(SessionID(id)!, node: "node-a"))
            #expect(try await client.call(.delete, "/v1/sessions/\(id)").status == .noContent)
            #expect(store.total == 0)
        }
    }
}
