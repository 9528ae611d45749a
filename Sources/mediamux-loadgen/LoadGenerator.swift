import ArgumentParser
import Foundation
import MuxCrypto
import MuxSDP
import MuxWire
import Synchronization

/// `mediamux-loadgen`: simulates WebRTC peers against a running mediamux (or `mediamux-reference`) and
/// reports setup rate, throughput, loss, reordering and latency. See docs/benchmarks.md.
@main
struct LoadGenerator: ParsableCommand {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Each peer receives its own packets back: latency is a round trip.
        case echo
        /// Peers in pairs, each pair a room: each receives its partner's packets; latency is one way.
        case room
    }

    static let configuration = CommandConfiguration(
        commandName: "mediamux-loadgen",
        abstract: "Simulates WebRTC peers (ICE, DTLS, SRTP) against mediamux and measures what comes back."
    )

    @Option(help: "mediamux's API.") var api = "http://127.0.0.1:7880"
    @Option(help: "Bearer token for the API (also MEDIAMUX_API_TOKEN).") var token: String?
    @Option(help: "Peers to connect.") var sessions = 10
    @Option(help: "echo or room (pairs).") var mode = Mode.echo
    @Option(help: "RTP packets per second per peer; 0 sends only consent checks.") var rate = 50.0
    @Option(help: "RTP packet size in bytes before SRTP (at least \(Probe.minimumSize)).") var size = 200
    @Option(help: "Seconds of traffic.") var duration = 10.0
    @Option(help: "Seconds to keep receiving after the last send.") var drain = 1.0
    @Option(help: "Sessions to start per second.") var setupRate = 200.0
    @Option(help: "Sessions set up at once.") var setupConcurrency = 8
    @Option(help: "Threads that send and receive traffic.") var threads = 1
    @Option(help: "Seconds between consent checks of each peer (RFC 7675 asks for about 5).") var consentInterval = 5.0
    @Option(help: "Local IPv4 address of the peers' sockets.") var source = "127.0.0.1"
    @Option(help: "Send media here instead of the session's first candidate.") var udp: String?
    @Option(help: "udp, or tcp for ICE-TCP to the session's TCP candidate (RFC 4571 frames).") var transport = "udp"
    @Option(help: "Drive mediamux-reference at this address instead: fixed keys, no API, ICE or DTLS; echo only.")
    var reference: String?
    @Option(help: "SRTP profile against the reference: gcm or cm.") var profile = "gcm"
    @Option(help: "The server's process id, to report its CPU and memory.") var serverPid: Int32?
    @Flag(help: "Print the report as JSON on stdout.") var json = false
    @Flag(help: "Print nothing while running.") var quiet = false

    func validate() throws {
        guard self.sessions > 0 else { throw ValidationError("--sessions must be at least 1") }
        guard self.size >= Probe.minimumSize, self.size <= 1400 else {
            throw ValidationError("--size must be \(Probe.minimumSize)...1400")
        }
        guard self.rate >= 0, self.duration > 0, self.drain >= 0 else {
            throw ValidationError("--rate, --duration and --drain must not be negative")
        }
        guard self.threads >= 1, self.setupConcurrency >= 1, self.setupRate > 0 else {
            throw ValidationError("--threads, --setup-concurrency and --setup-rate must be positive")
        }
        guard self.mode == .room ? self.sessions % 2 == 0 : true else {
            throw ValidationError("room mode needs an even --sessions")
        }
        guard self.reference == nil || self.mode == .echo else {
            throw ValidationError("the reference forwarder only echoes")
        }
        guard IPAddress(self.source)?.isIPv4 == true else { throw ValidationError("--source must be an IPv4 address") }
        guard self.transport == "udp" || self.transport == "tcp" else {
            throw ValidationError("--transport is udp or tcp")
        }
        guard self.reference == nil || self.transport == "udp" else {
            throw ValidationError("the reference forwarder speaks UDP only")
        }
    }

    func run() throws {
        FileLimit.raise()
        let before = self.serverPid.flatMap(ServerSample.read)
        var setupReport: Report.Setup?
        var peers: [Peer]
        var api: APIClient?
        if let reference {
            guard let address = TransportAddress(reference) else {
                throw ValidationError("--reference must be host:port")
            }
            peers = try self.referencePeers(address)
        } else {
            guard let base = URL(string: self.api) else { throw ValidationError("--api must be a URL") }
            let client = APIClient(
                base: base, token: self.token ?? ProcessInfo.processInfo.environment["MEDIAMUX_API_TOKEN"],
                connections: self.setupConcurrency
            )
            api = client
            (peers, setupReport) = try self.connectPeers(client)
        }
        defer { if let api { self.teardown(peers, api: api) } }
        guard !peers.isEmpty else {
            self.emit(
                Report(
                    target: self.targetName, setup: setupReport,
                    traffic: self.trafficReport(TrafficStats(), sessions: 0, seconds: 0)))
            throw ExitCode.failure
        }

        let connected = self.serverPid.flatMap(ServerSample.read)
        let (stats, seconds) = self.sendTraffic(peers)
        let after = self.serverPid.flatMap(ServerSample.read)
        var server: Report.Server?
        if let pid = self.serverPid, let before, let connected, let after {
            server = Report.Server(
                pid: pid, residentBytesBefore: before.residentBytes, residentBytesConnected: connected.residentBytes,
                residentBytesPerSession: self.reference == nil
                    ? Double(connected.residentBytes - before.residentBytes) / Double(peers.count) : nil,
                residentBytesAfterTraffic: after.residentBytes,
                residentBytesPerSessionAfterTraffic: self.reference == nil
                    ? Double(after.residentBytes - before.residentBytes) / Double(peers.count) : nil,
                cpuPercent: 100 * (after.cpuSeconds - connected.cpuSeconds) / (seconds + self.drain)
            )
        }
        self.emit(
            Report(
                target: self.targetName, setup: setupReport,
                traffic: self.trafficReport(stats, sessions: peers.count, seconds: seconds),
                server: server
            ))
    }

    private var targetName: String {
        self.reference.map { "mediamux-reference at \($0)" } ?? "mediamux at \(self.api)"
    }

    private func emit(_ report: Report) {
        print(self.json ? report.json() : report.table())
    }

    // MARK: Setup

    private func referencePeers(_ address: TransportAddress) throws -> [Peer] {
        let profile: SRTPProfile = self.profile == "cm" ? .aes128CMHMACSHA1_80 : .aeadAES128GCM
        let source = IPAddress(self.source)!
        return try (0..<self.sessions).map { index in
            let srtp = try SRTPSession(keys: ReferenceKeys.material(profile: profile), role: .client)
            return Peer(
                index: UInt32(index), socket: try PeerSocket(source: source, server: address), srtp: srtp,
                sessionID: nil, ice: nil)
        }
    }

    private func connectPeers(_ api: APIClient) throws -> ([Peer], Report.Setup) {
        let certificate = try DTLSCertificate.generate()
        let setup = PeerSetup(
            api: api, dtls: try DTLSContext(certificate: certificate),
            fingerprint: Fingerprint.sha256(certificate.sha256).sdpValue,
            source: IPAddress(self.source)!, server: self.udp.flatMap { TransportAddress($0) },
            handler: self.mode == .room ? "room" : "echo", overTCP: self.transport == "tcp"
        )
        let outcomes = Mutex<(peers: [Peer?], failures: [PeerSetup.Stage: Int], firstError: String?)>(
            ([Peer?](repeating: nil, count: self.sessions), [:], nil)
        )
        let next = Atomic<Int>(0)
        let start = ContinuousClock.now
        let sessions = self.sessions
        let interval = 1.0 / self.setupRate
        let mode = self.mode
        let reporter = self.progress { () -> String in
            outcomes.withLock { state in
                let connected = state.peers.count { $0 != nil }
                return "setup: \(connected) of \(sessions) connected, \(state.failures.values.reduce(0, +)) failed"
            }
        }
        let keepAlive = SetupKeepAlive(interval: .seconds(self.consentInterval))
        Threads.run(count: self.setupConcurrency) {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < sessions else { return }
                let due = start + .seconds(interval * Double(index))
                Threads.sleep(until: due)
                let room = mode == .room ? "lg-pair-\(index / 2)" : "lg-echo-\(index / 100)"
                do throws(PeerSetup.Failure) {
                    let peer = try setup.connect(index: UInt32(index), room: room)
                    outcomes.withLock { $0.peers[index] = peer }
                    keepAlive.add(peer)
                } catch {
                    outcomes.withLock { state in
                        state.failures[error.stage, default: 0] += 1
                        if state.firstError == nil { state.firstError = "\(error.stage.rawValue): \(error.detail)" }
                    }
                }
            }
        }
        reporter.stop()
        let elapsed = ContinuousClock.now - start
        keepAlive.stop()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let (slots, failures, firstError) = outcomes.withLock { ($0.peers, $0.failures, $0.firstError) }
        if let firstError, !self.quiet {
            FileHandle.standardError.write(Data("loadgen: first setup failure: \(firstError)\n".utf8))
        }
        var peers = slots.compactMap { $0 }
        if self.mode == .room {
            // A peer whose partner failed has nobody to hear: it sits out, and its session is deleted.
            let paired = Set(peers.map(\.index)).filter { peers.map(\.index).contains($0 ^ 1) }
            for peer in peers where !paired.contains(peer.index) { peer.sessionID.map(api.deleteSession) }
            peers = peers.filter { paired.contains($0.index) }
            for peer in peers { peer.source = peer.index ^ 1 }
        }
        let connected = slots.count { $0 != nil }
        let report = Report.Setup(
            requested: sessions, connected: connected,
            failed: Dictionary(
                uniqueKeysWithValues: PeerSetup.Stage.allCases.map { ($0.rawValue, failures[$0, default: 0]) }),
            seconds: seconds, sessionsPerSecond: Double(connected) / max(seconds, 1e-9)
        )
        return (peers, report)
    }

    private func teardown(_ peers: [Peer], api: APIClient) {
        let next = Atomic<Int>(0)
        Threads.run(count: self.setupConcurrency) {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < peers.count else { return }
                if let id = peers[index].sessionID { api.deleteSession(id) }
            }
        }
    }

    // MARK: Traffic

    private func sendTraffic(_ peers: [Peer]) -> (TrafficStats, Double) {
        let live = LiveCounters()
        let workerCount = min(self.threads, peers.count)
        let workers = (0..<workerCount).map { worker in
            TrafficWorker(
                peers: stride(from: worker, to: peers.count, by: workerCount).map { peers[$0] }, rate: self.rate,
                size: self.size,
                consentInterval: self.reference == nil ? .seconds(self.consentInterval) : nil, live: live
            )
        }
        let start = MonotonicClock.now() + 10_000_000
        let sendUntil = start + UInt64(self.duration * 1e9)
        let stopAt = sendUntil + UInt64(self.drain * 1e9)
        let reporter = self.progress { () -> String in
            let elapsed = Double(MonotonicClock.now().subtractingReportingOverflow(start).partialValue) / 1e9
            let sent = live.sent.load(ordering: .relaxed)
            let received = live.received.load(ordering: .relaxed)
            return "traffic: \(Report.format(max(0, elapsed)))s sent \(sent) received \(received)"
        }
        Threads.run(count: workers.count) { index in
            workers[index].run(start: start, sendUntil: sendUntil, stopAt: stopAt)
        }
        reporter.stop()
        var total = TrafficStats()
        for worker in workers { total.add(worker.stats) }
        return (total, self.duration)
    }

    private func trafficReport(_ stats: TrafficStats, sessions: Int, seconds: Double) -> Report.Traffic {
        let percentiles =
            stats.latency.totalCount == 0
            ? [:]
            : [
                "p50": 50.0, "p99": 99.0, "p99.9": 99.9, "max": 100.0,
            ].mapValues { Double(stats.latency.valueAtPercentile($0)) / 1000 }
        let perSecond = { (count: UInt64) in seconds > 0 ? Double(count) / seconds : 0 }
        return Report.Traffic(
            mode: self.mode.rawValue, sessions: sessions, packetSize: self.size, seconds: seconds,
            targetPacketsPerSecond: self.rate * Double(sessions), offeredPacketsPerSecond: perSecond(stats.sent),
            deliveredPacketsPerSecond: perSecond(stats.received), sent: stats.sent, received: stats.received,
            lossPercent: stats.sent == 0
                ? 0 : 100 * Double(stats.sent - min(stats.sent, stats.received)) / Double(stats.sent),
            reordered: stats.reordered, sendFailures: stats.sendFailures, srtpFailures: stats.srtpFailures,
            unexpected: stats.unexpected, consentChecks: stats.consentChecks, consentAnswers: stats.consentAnswers,
            latencyKind: self.mode == .echo ? "round-trip" : "one-way", latencyMicroseconds: percentiles
        )
    }

    private func progress(_ line: @escaping @Sendable () -> String) -> ProgressReporter {
        ProgressReporter(enabled: !self.quiet, line: line)
    }
}
