import MetricsTestKit
import MuxCore
import MuxICE
import MuxSessions
import MuxTestSupport
import MuxWire
import Testing

@testable import MuxIO

#if canImport(Glibc)
import Glibc
#endif

/// Several I/O threads on one port: each owns a socket bound with SO_REUSEPORT, and the kernel hashes each
/// peer's 4-tuple to one of them. Sessions must work whichever socket a peer lands on.
@Suite struct IOThreadTests {
    @Test func servesOnePortWithASocketPerThread() async throws {
        let fixture = try await MuxFixture { $0.udp.ioThreads = 4 }
        let server = try #require(fixture.mux.singlePortAddresses.first)
        // The kernel lists each socket on a line of its own: `sl 0100007F:PORT ...` for 127.0.0.1.
        let local = "0100007F:" + String(server.port, radix: 16, uppercase: true).leftPadded(to: 4)
        func listed() -> Int {
            let table = (try? Self.read("/proc/net/udp")) ?? ""
            return table.split(separator: "\n").count { $0.split(separator: " ").dropFirst().first == Substring(local) }
        }
        // Read again until it shows them all: the kernel's listing is not a snapshot, and a line can be missed
        // while the parallel tests open and close sockets.
        #expect(await eventually { listed() == 4 })
        #expect(listed() <= 4)
        await fixture.stop()
    }

    @Test func seesASocketThatJoinedTheGroup() throws {
        let local = try #require(TransportAddress("127.0.0.1:0"))
        let first = try UDPSocket.bind(local, reusePort: true, bufferBytes: 65_536)
        let second = try UDPSocket.bind(first.local, reusePort: true, bufferBytes: 65_536)
        #expect(SocketTable.sharers(of: [first.descriptor, second.descriptor], ipv4: true) == 0)
        let intruder = try UDPSocket.bind(first.local, reusePort: true, bufferBytes: 65_536)
        #expect(SocketTable.sharers(of: [first.descriptor, second.descriptor], ipv4: true) == 1)
        intruder.close()
        #expect(SocketTable.sharers(of: [first.descriptor, second.descriptor], ipv4: true) == 0)
    }

    @Test func echoesForEveryPeerWhicheverSocketItHashesTo() async throws {
        let fixture = try await MuxFixture { $0.udp.ioThreads = 4 }
        let sessions = try await (0..<16).asyncMap { _ in
            try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        }
        for session in sessions {
            let server = try #require(session.candidates.first?.address)
            let client = try UDPTestClient()
            let check = CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true)
            let answer = try #require(client.exchange(check, with: server))
            #expect(answer.from == server)
            let echoed = try #require(client.exchange(CheckRequest.rtp, with: server))
            #expect(echoed.bytes == CheckRequest.rtp && echoed.from == server)
        }
        await fixture.stop()
        #expect(fixture.mux.tableSizes.isEmpty)
    }

    /// Media is routed by each thread's own copy of the tuple index; deletion and consent expiry leave no
    /// route behind on any thread.
    @Test func closingSessionsInEveryWayLeavesNoMediaRouteOnAnyThread() async throws {
        let fixture = try await MuxFixture {
            $0.udp.ioThreads = 2
            // Long enough for the six to be set up in a loaded parallel run before the last three expire.
            $0.timeouts.consent = .seconds(8)
        }
        var ids: [SessionID] = []
        for _ in 0..<6 {
            let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
            let server = try #require(session.candidates.first?.address)
            let client = try UDPTestClient()
            #expect(
                client.exchange(
                    CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true), with: server) != nil)
            #expect(client.exchange(CheckRequest.rtp, with: server)?.bytes == CheckRequest.rtp)
            ids.append(session.snapshot.id)
        }
        #expect(await fixture.mux.cachedMediaRoutes() == 6)
        for id in ids.prefix(3) { #expect(await fixture.mux.closeSession(id, reason: .deleted)) }
        #expect(await fixture.mux.cachedMediaRoutes() == 3)
        let expired = await eventually(timeout: .seconds(20)) {
            ids.suffix(3).allSatisfy { fixture.mux.snapshot(of: $0)?.closeReason == .consentExpired }
        }
        #expect(expired)
        #expect(await fixture.mux.cachedMediaRoutes() == 0)
        #expect(fixture.mux.tableSizes.sessions == 0 && fixture.mux.tableSizes.tuples == 0)
        await fixture.stop()
    }

    @Test func aPeerWhoseNATPortChangesKeepsItsSessionWhicheverSocketItLandsOn() async throws {
        let fixture = try await MuxFixture { $0.udp.ioThreads = 4 }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try #require(session.candidates.first?.address)
        // Each new port is a new 4-tuple, hashed afresh: over eight of them several sockets take part.
        for _ in 0..<8 {
            let client = try UDPTestClient()
            let check = CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true)
            #expect(client.exchange(check, with: server) != nil)
            let echoed = try #require(client.exchange(CheckRequest.rtp, with: server))
            #expect(echoed.bytes == CheckRequest.rtp)
            #expect(fixture.mux.snapshot(of: session.snapshot.id)?.selected?.remote == client.local)
        }
        await fixture.stop()
    }

    /// Reads a /proc file to its end: it reports a size of 0, and a single read stops at a page.
    static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw TestError("cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case let count = fread(&chunk, 1, chunk.count, file), count > 0 {
            bytes += chunk.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func readsTheKernelsDropsOfAFullReceiveBuffer() throws {
        // Nobody reads this socket, so a burst overflows its (smallest possible) buffer.
        let socket = try UDPSocket.bind(
            TransportAddress(ip: .v4(0x7F00_0001), port: 0), reusePort: false, bufferBytes: 1)
        #expect(socket.kernelDrops == 0)
        let client = try UDPTestClient()
        for _ in 0..<200 { client.send([UInt8](repeating: 0x80, count: 1000), to: socket.local) }
        #expect(socket.kernelDrops > 0)
        socket.close()
        #expect(socket.kernelDrops == -1)
    }

    @Test func answersCommandsThatComeAfterItStopped() async throws {
        let router = SessionRouter(
            timeouts: ICETimeouts(), rateLimit: .init(), metrics: MuxCore.CoreMetrics(factory: TestMetrics()))
        let thread = IOThread(
            index: 0, router: router, batchSize: 4, slotSize: 2048,
            tcp: IOThread.TCPSide(
                configuration: TCPConfiguration(), limits: TCPConnectionLimits(TCPConfiguration()),
                registry: SocketRegistry(), threads: 1))
        thread.start()
        await thread.stop()
        // A session given up during shutdown releases its range port after the threads ended: no hang.
        let socket = try UDPSocket.bind(
            TransportAddress(ip: .v4(0x7F00_0001), port: 0), reusePort: false, bufferBytes: 65_536)
        await thread.forget(socket)
        await thread.passBatchBoundary()
        // Forgetting leaves the socket to whoever closes it (the transport, after every thread's batch).
        #expect(socket.descriptor >= 0)
        socket.close()
        await thread.stop()
    }

    @Test func refusesAPortAnotherSocketHoldsEvenWithSeveralThreads() async throws {
        let holder = try UDPTestClient()
        await #expect(throws: SocketError.self) {
            _ = try await MuxFixture {
                $0.udp.ioThreads = 2
                $0.udp.port = Int(holder.local.port)
            }
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
