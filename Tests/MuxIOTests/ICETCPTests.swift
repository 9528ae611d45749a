import MuxCore
import MuxICE
import MuxIO
import MuxSessions
import MuxTestSupport
import MuxWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ICE-TCP on the single port's number, over real loopback connections: a connection earns its place with
/// an authenticated check, and nothing one connection sends harms another session.
@Suite struct ICETCPTests {
    private func tcpCandidate(_ session: CreatedSession) throws -> TransportAddress {
        try #require(session.candidates.first { $0.transport == .tcp }?.address)
    }

    private func closed(_ fixture: MuxFixture, _ reason: TCPCloseReason, on listener: TransportAddress) -> Int64 {
        fixture.counter("mediamux_tcp_closed_total", [("listener", "\(listener)"), ("reason", reason.rawValue)])
    }

    /// Connects and authenticates with a nominating check; returns the connected client.
    private func connect(
        to session: CreatedSession, from ip: String? = nil, receiveBufferBytes: Int32? = nil
    ) throws -> TCPTestClient {
        let client = try TCPTestClient(
            to: try self.tcpCandidate(session), from: ip, receiveBufferBytes: receiveBufferBytes)
        let check = CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true)
        let reply = try #require(client.exchange(check))
        #expect(try STUNMessage(parsing: reply).type == .bindingSuccess)
        return client
    }

    @Test func answersChecksAndEchoesMediaOverTCPOnTheUDPPortNumber() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let udp = try #require(session.candidates.first { $0.transport == .udp })
        let tcp = try #require(session.candidates.first { $0.transport == .tcp })
        #expect(tcp.address == udp.address)
        #expect(tcp.priority < udp.priority)
        #expect(tcp.sdpValue.hasSuffix("typ host tcptype passive"))

        let client = try TCPTestClient(to: tcp.address)
        let reply = try #require(
            client.exchange(CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true)))
        let response = try STUNMessage(parsing: reply)
        #expect(response.type == .bindingSuccess)
        #expect(response.xorMappedAddress == client.local)
        #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp)

        let snapshot = try #require(fixture.mux.snapshot(of: session.snapshot.id))
        #expect(snapshot.state == .connected)
        #expect(snapshot.selected?.remote == client.local)
        #expect(snapshot.selected?.socket.isStream == true)
        #expect(fixture.mux.transport.localAddress(of: try #require(snapshot.selected).socket) == tcp.address)
        let listener = [("listener", "\(tcp.address)")]
        #expect(fixture.counter("mediamux_tcp_frames_total", listener + [("direction", "in"), ("class", "rtp")]) == 1)
        // The echo is counted after its write, so the client can read it first.
        #expect(
            await eventually {
                fixture.counter("mediamux_tcp_frames_total", listener + [("direction", "out"), ("class", "rtp")]) == 1
            })
        #expect(fixture.counter("mediamux_tcp_connections_opened_total", listener) == 1)
        await fixture.stop()
    }

    @Test func aFirstFrameThatIsNotAnAuthenticatedCheckClosesTheConnection() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try self.tcpCandidate(session)

        let media = try TCPTestClient(to: server)
        media.sendFrame(CheckRequest.rtp)
        #expect(media.waitForClose())
        #expect(self.closed(fixture, .firstFrameNotCheck, on: server) == 1)

        let wrongPassword = try TCPTestClient(to: server)
        wrongPassword.sendFrame(
            CheckRequest.make(localUfrag: session.snapshot.localCredentials.ufrag, password: "not-the-password-at-all"))
        #expect(wrongPassword.waitForClose())
        #expect(self.closed(fixture, .checkRefused, on: server) == 1)

        let garbage = try TCPTestClient(to: server)
        garbage.sendRaw([0xFF, 0xFF] + [UInt8](repeating: 7, count: 64))
        #expect(garbage.waitForClose())
        #expect(self.closed(fixture, .badFrame, on: server) == 1)

        // The session itself is untouched: a real check still connects it.
        let client = try self.connect(to: session)
        #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp)
        await fixture.stop()
    }

    @Test func aConnectionThatSendsNothingIsClosedAfterTheTimeout() async throws {
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.tcp.firstCheckTimeout = .seconds(1)
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        let server = try self.tcpCandidate(session)
        let silent = try TCPTestClient(to: server)
        let opened = ContinuousClock.now
        #expect(silent.waitForClose(timeout: .seconds(4)))
        #expect(ContinuousClock.now - opened >= .milliseconds(900))
        #expect(self.closed(fixture, .firstCheckTimeout, on: server) == 1)
        #expect(await eventually { fixture.mux.transport.openTCPConnections == (0, 0) })
        await fixture.stop()
    }

    @Test func thousandsOfIdleConnectionsDoNotKeepANewClientOut() async throws {
        Self.raiseDescriptorLimit()
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.tcp.maxPendingConnections = 500
            $0.tcp.firstCheckTimeout = .seconds(60)
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try self.tcpCandidate(session)
        let idle = try (0..<2_000).map { _ in try TCPTestClient(to: server) }
        #expect(await eventually(timeout: .seconds(10)) { self.closed(fixture, .evicted, on: server) >= 1_500 })
        #expect(fixture.mux.transport.openTCPConnections.waiting <= 500)

        let client = try self.connect(to: session)
        #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp)
        #expect(fixture.mux.transport.openTCPConnections.authenticated == 1)
        _ = idle
        await fixture.stop()
    }

    @Test func thePerIPLimitRefusesTheNextConnectionExceptFromATrustedRange() async throws {
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.tcp.maxConnectionsPerIP = 3
            $0.rateLimit.trusted = [IPNetwork("127.0.0.2/32")!]
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        let server = try self.tcpCandidate(session)
        let allowed = try (0..<3).map { _ in try TCPTestClient(to: server, from: "127.0.0.1") }
        #expect(await eventually { fixture.mux.transport.openTCPConnections.waiting == 3 })
        let refused = try TCPTestClient(to: server, from: "127.0.0.1")
        #expect(refused.waitForClose())
        #expect(
            fixture.counter(
                "mediamux_tcp_refused_total", [("listener", "\(server)"), ("reason", "max_connections_per_ip")]) == 1)

        let trusted = try (0..<5).map { _ in try TCPTestClient(to: server, from: "127.0.0.2") }
        #expect(await eventually { fixture.mux.transport.openTCPConnections.waiting == 8 })
        let check = CheckRequest.make(for: session.snapshot.localCredentials)
        #expect(trusted.last?.exchange(check).map { try? STUNMessage(parsing: $0).type } == .bindingSuccess)
        _ = allowed
        await fixture.stop()
    }

    @Test func framesSplitAcrossSegmentsAndManyFramesInOneSegmentAreParsed() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let client = try TCPTestClient(to: try self.tcpCandidate(session))

        // A check one byte per write: with TCP_NODELAY each leaves as a segment of its own.
        let check = TCPTestClient.frame(CheckRequest.make(for: session.snapshot.localCredentials, useCandidate: true))
        for byte in check { client.sendRaw([byte]) }
        let reply = try #require(client.receiveFrame())
        #expect(try STUNMessage(parsing: reply).type == .bindingSuccess)

        // Twenty packets in one write, then one cut in two across writes.
        let packets = (0..<20).map { index in CheckRequest.rtp + [UInt8(index)] }
        client.sendFrames(packets)
        for packet in packets { #expect(client.receiveFrame() == packet) }
        let last = TCPTestClient.frame(CheckRequest.rtp + [99])
        client.sendRaw(Array(last.prefix(5)))
        client.sendRaw(Array(last.dropFirst(5)))
        #expect(client.receiveFrame() == CheckRequest.rtp + [99])
        await fixture.stop()
    }

    @Test func aPeerThatResetsMidFrameHarmsNoOtherSession() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let udpSession = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let tcpSession = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let udpServer = try #require(udpSession.candidates.first { $0.transport == .udp }?.address)
        let udpClient = try UDPTestClient()
        _ = udpClient.exchange(
            CheckRequest.make(for: udpSession.snapshot.localCredentials, useCandidate: true), with: udpServer)
        let healthy = try self.connect(to: tcpSession)

        let other = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let doomed = try self.connect(to: other)
        doomed.sendRaw(Array(TCPTestClient.frame(CheckRequest.rtp).prefix(9)))
        doomed.reset()
        let server = try self.tcpCandidate(other)
        #expect(await eventually { self.closed(fixture, .reset, on: server) == 1 })

        #expect(udpClient.exchange(CheckRequest.rtp, with: udpServer)?.bytes == CheckRequest.rtp)
        #expect(healthy.exchange(CheckRequest.rtp) == CheckRequest.rtp)
        #expect(fixture.mux.snapshot(of: tcpSession.snapshot.id)?.state == .connected)
        await fixture.stop()
    }

    @Test func aConnectionThePeerClosesStopsLeadingToItsSessionAtOnce() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        var client: TCPTestClient? = try self.connect(to: session)
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.selected?.socket.isStream == true)
        client = nil  // a FIN
        let server = try self.tcpCandidate(session)
        #expect(await eventually { self.closed(fixture, .peerClosed, on: server) == 1 })
        let snapshot = try #require(fixture.mux.snapshot(of: session.snapshot.id))
        #expect(snapshot.selected == nil && snapshot.tuples.isEmpty)
        #expect(snapshot.state != .closed, "the session waits for another pair or its consent timeout")
        #expect(fixture.counter("mediamux_tcp_send_errors_total", [("listener", "\(server)")]) == 0)
        _ = client
        await fixture.stop()
    }

    @Test func aPeerThatStopsReadingLosesWhatOverflowsTheQueueAndGetsTheRestWholeAndInOrder() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try self.tcpCandidate(session)
        let client = try self.connect(to: session, receiveBufferBytes: 4096)
        let listener = [("listener", "\(server)")]
        func sendErrors() -> Int64 { fixture.counter("mediamux_tcp_send_errors_total", listener) }

        // 5 MB echoed to a client that reads nothing yet: more than the kernel's send buffer grows to (at most
        // tcp_wmem's 4 MiB) and the 64 KiB queue hold.
        let total = 2_500
        await onOwnThread {
            for burst in stride(from: 0, to: total, by: 100) {
                client.sendFrames((burst..<burst + 100).map(Self.numberedRTP))
            }
        }
        let frames = { (direction: String) in
            fixture.counter("mediamux_tcp_frames_total", listener + [("direction", direction), ("class", "rtp")])
        }
        #expect(await eventually { frames("in") == Int64(total) })
        #expect(await eventually { frames("out") + sendErrors() == Int64(total) })
        #expect(sendErrors() > 0, "the queue overflowed")

        // Reading again drains the queue (EPOLLOUT): every frame counted as sent arrives, whole, in order.
        let (received, wholeAndInOrder) = await onOwnThread {
            var received = 0
            var last = -1
            while let frame = client.receiveFrame(timeout: .seconds(1)) {
                let number = Int(frame[2]) << 8 | Int(frame[3])
                guard frame == Self.numberedRTP(number), number > last else { return (received, false) }
                last = number
                received += 1
            }
            return (received, true)
        }
        #expect(wholeAndInOrder, "frame \(received) was cut or out of order")
        #expect(received > 0 && Int64(received) == frames("out"))
        #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp, "the connection still carries media")
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.state == .connected)
        await fixture.stop()
    }

    /// An RTP packet of 2,000 bytes, near the largest frame, whose sequence number is `number`.
    private static func numberedRTP(_ number: Int) -> [UInt8] {
        [0x80, 96, UInt8(number >> 8), UInt8(number & 0xFF)] + [UInt8](repeating: UInt8(number % 251), count: 1996)
    }

    @Test func aConnectionWhoseSessionIsDeletedCloses() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = true }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let client = try self.connect(to: session)
        #expect(fixture.mux.transport.openTCPConnections == (0, 1))
        #expect(await fixture.mux.deleteSession(session.snapshot.id))
        #expect(client.waitForClose(timeout: .seconds(5)))
        #expect(self.closed(fixture, .unbound, on: try self.tcpCandidate(session)) == 1)
        #expect(fixture.mux.transport.openTCPConnections == (0, 0))
        await fixture.stop()
    }

    @Test func aConnectionWithNoAuthenticatedTrafficForTheConsentTimeoutCloses() async throws {
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.timeouts.consent = .seconds(1)
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let client = try self.connect(to: session)
        let connected = ContinuousClock.now
        #expect(client.waitForClose(timeout: .seconds(6)))
        #expect(ContinuousClock.now - connected >= .milliseconds(900))
        #expect(self.closed(fixture, .unbound, on: try self.tcpCandidate(session)) == 1)
        #expect(fixture.mux.snapshot(of: session.snapshot.id)?.closeReason == .consentExpired)
        await fixture.stop()
    }

    @Test func rangeModeSessionsShareOneTCPPort() async throws {
        let range = try RangeModeTests.freeRange(count: 4)
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.udp.mode = .range
            $0.udp.portRange = range
        }
        let first = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let second = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        #expect(first.candidates.map(\.transport) == [.udp, .tcp])
        let udpPorts = [first, second].compactMap { $0.candidates.first?.address.port }
        #expect(Set(udpPorts).count == 2 && udpPorts.allSatisfy { range.contains(Int($0)) })
        #expect(try self.tcpCandidate(first) == (try self.tcpCandidate(second)))
        for session in [first, second] {
            let client = try self.connect(to: session)
            #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp)
        }
        await fixture.stop()
    }

    @Test func aFullTotalMakesAWaitingConnectionGiveWay() async throws {
        let fixture = try await MuxFixture {
            $0.tcp.enabled = true
            $0.tcp.maxConnections = 5
        }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r", handler: "datagram_echo"))
        let server = try self.tcpCandidate(session)
        let idle = try (0..<5).map { _ in try TCPTestClient(to: server) }
        #expect(await eventually { fixture.mux.transport.openTCPConnections.waiting == 5 })
        let client = try self.connect(to: session)
        #expect(client.exchange(CheckRequest.rtp) == CheckRequest.rtp)
        #expect(self.closed(fixture, .evicted, on: server) == 1)
        #expect(idle[0].waitForClose())
        await fixture.stop()
    }

    @Test func tcpCanBeTurnedOff() async throws {
        let fixture = try await MuxFixture { $0.tcp.enabled = false }
        let session = try await fixture.mux.createSession(SessionRequest(room: "r"))
        #expect(session.candidates.allSatisfy { $0.transport == .udp })
        #expect(fixture.mux.transport.tcpListenAddresses.isEmpty)
        await fixture.stop()
    }

    /// Two thousand connections hold four thousand descriptors in this process (both ends).
    private static func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
