import MuxCore
import MuxICE
import MuxIO
import MuxSessions
import MuxTestSupport
import MuxWire
import Synchronization
import Testing

@Suite struct RangeModeTests {
    /// Disjoint blocks below the kernel's ephemeral range (32768 and up), so no socket bound to port 0 by a
    /// test running in parallel can take one; the base is random so that two test processes rarely meet.
    static func freeRange(count: Int) throws -> ClosedRange<Int> {
        let start = Self.nextPort.withLock { next in
            defer { next += count }
            return next
        }
        return start...(start + count - 1)
    }

    private static let nextPort = Mutex(Int.random(in: 20_000...30_000))

    @Test func givesEachSessionItsOwnPortAndTakesItBackOnClose() async throws {
        let range = try Self.freeRange(count: 3)
        let fixture = try await MuxFixture {
            $0.udp.mode = .range
            $0.udp.portRange = range
        }
        var sessions: [CreatedSession] = []
        for _ in 0..<3 {
            sessions.append(try await fixture.mux.createSession(SessionRequest(room: "r")))
        }
        let ports = sessions.compactMap { $0.candidates.first?.address.port }
        #expect(Set(ports).count == 3)
        #expect(ports.allSatisfy { range.contains(Int($0)) })
        #expect(fixture.mux.singlePortAddresses.isEmpty)

        await #expect(throws: SessionCreationError.refused(.portsExhausted)) {
            try await fixture.mux.createSession(SessionRequest(room: "r"))
        }
        #expect(fixture.counter("mediamux_admission_refused_total", [("reason", "ports_exhausted")]) == 1)
        #expect(fixture.admission.total == 3, "a refused session gives its admission slot back")

        let client = try UDPTestClient()
        let first = sessions[0]
        let reply = client.exchange(
            CheckRequest.make(for: first.snapshot.localCredentials), with: first.candidates[0].address)
        #expect(reply?.from == first.candidates[0].address)

        for session in sessions {
            #expect(await fixture.mux.deleteSession(session.snapshot.id))
        }
        let reused = try await fixture.mux.createSession(SessionRequest(room: "r"))
        #expect(reused.candidates.count == 1)
        #expect(await fixture.mux.deleteSession(reused.snapshot.id))
        #expect(fixture.admission.total == 0)
        #expect(fixture.mux.tableSizes.isEmpty)
        await fixture.stop()
    }

    @Test func bothModeOffersTheSinglePortFirstAndARangePortBelowIt() async throws {
        let range = try Self.freeRange(count: 2)
        let fixture = try await MuxFixture {
            $0.udp.mode = .both
            $0.udp.portRange = range
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        #expect(session.candidates.count == 2)
        #expect(session.candidates[0].address == fixture.mux.singlePortAddresses[0])
        #expect(range.contains(Int(session.candidates[1].address.port)))
        #expect(session.candidates[0].priority > session.candidates[1].priority)
        await fixture.stop()
    }

    @Test func announcesThePublicAddressOfA1To1NAT() async throws {
        let fixture = try await MuxFixture {
            $0.udp.announced = [
                AnnouncedAddress(local: IPAddress("127.0.0.1")!, publicIP: IPAddress("203.0.113.7")!, publicPort: 443)
            ]
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        #expect(session.candidates.map(\.sdpValue) == ["candidate:1 1 udp 2130706431 203.0.113.7 443 typ host"])
        await fixture.stop()
    }
}
