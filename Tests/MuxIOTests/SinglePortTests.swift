import MuxCore
import MuxICE
import MuxIO
import MuxSessions
import MuxTestSupport
import MuxWire
import Testing

@Suite struct SinglePortTests {
    @Test func answersChecksAndEchoesMediaThroughOnePort() async throws {
        let fixture = try await MuxFixture()
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try #require(session.candidates.first?.address)
        let client = try UDPTestClient()

        let reply = try #require(
            client.exchange(CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true), with: server)
        )
        let response = try STUNMessage(parsing: reply.bytes)
        #expect(response.type == .bindingSuccess)
        #expect(response.xorMappedAddress == client.local)
        #expect(response.verifyIntegrity(with: STUNIntegrityKey(password: session.snapshot.localCredentials.password)))

        let echoed = try #require(client.exchange(CheckRequest.rtp, with: server))
        #expect(echoed.bytes == CheckRequest.rtp)
        let snapshot = try #require(fixture.mux.snapshot(of: session.snapshot.id))
        #expect(snapshot.state == .connected)
        #expect(snapshot.traffic.packetsIn == 1 && snapshot.traffic.packetsOut == 1)
        await fixture.stop()
    }

    @Test func repliesLeaveFromTheAddressTheClientSentTo() async throws {
        let fixture = try await MuxFixture {
            $0.udp.bindAddresses = [IPAddress("127.0.0.1")!, IPAddress("127.0.0.2")!]
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        let addresses = fixture.candidateAddresses(session)
        #expect(addresses.map(\.ip) == [IPAddress("127.0.0.1")!, IPAddress("127.0.0.2")!])
        #expect(addresses[0].port == addresses[1].port)
        let client = try UDPTestClient()
        for server in addresses {
            let reply = try #require(
                client.exchange(CheckRequest.make(for: session.snapshot.localCredentials), with: server))
            #expect(reply.from == server)
        }
        await fixture.stop()
    }

    @Test func refusesStrangersAndCountsEveryDrop() async throws {
        let fixture = try await MuxFixture()
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        let server = try #require(session.candidates.first?.address)
        let socket = "\(server)"
        let client = try UDPTestClient()
        let credentials = session.snapshot.localCredentials

        let wrong = CheckRequest.make(localUfrag: credentials.ufrag, password: "definitely-not-the-password")
        let refusal = try #require(client.exchange(wrong, with: server))
        #expect(try STUNMessage(parsing: refusal.bytes).errorCode?.code == 401)
        #expect(
            client.exchange(
                CheckRequest.make(localUfrag: "nobody", password: credentials.password), with: server,
                timeout: .milliseconds(200)) == nil)
        #expect(client.exchange([0xFF, 0xFE, 0xFD], with: server, timeout: .milliseconds(200)) == nil)
        #expect(client.exchange(CheckRequest.rtp, with: server, timeout: .milliseconds(200)) == nil)

        for reason in ["bad_integrity", "unknown_ufrag", "unknown_class", "unknown_address"] {
            let counted = await eventually {
                fixture.counter("mediamux_udp_dropped_total", [("socket", socket), ("reason", reason)]) == 1
            }
            #expect(counted, "\(reason) counted once")
        }
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .new)
        await fixture.stop()
    }

    @Test func closesASessionThatNeverConnectsAndReleasesItsSlot() async throws {
        let fixture = try await MuxFixture { $0.timeouts.connect = .milliseconds(100) }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", user: "u"))
        let closed = await eventually {
            fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .connectTimeout
        }
        #expect(closed)
        #expect(await eventually { fixture.admission.total == 0 })
        #expect(fixture.mux.tableSizes.isEmpty)
        await fixture.stop()
    }

    @Test func shutdownClosesEverySessionWithReasonShutdown() async throws {
        let fixture = try await MuxFixture()
        let ids = try await (0..<3).asyncMap { _ in
            try await fixture.mux.createSession(SessionRequest(room: "r")).snapshot.id
        }
        await fixture.stop()
        for id in ids {
            #expect(fixture.mux.snapshot(of: id)?.closeReason == .shutdown)
        }
        #expect(fixture.admission.total == 0)
        await #expect(throws: SessionCreationError.refused(.shuttingDown)) {
            try await fixture.mux.createSession(SessionRequest(room: "r"))
        }
    }
}
