import Foundation

/// Everything a run measured, printed as a table or as JSON (`--json`).
struct Report: Encodable {
    struct Setup: Encodable {
        var requested: Int
        var connected: Int
        var failed: [String: Int]
        var seconds: Double
        var sessionsPerSecond: Double
    }

    struct Traffic: Encodable {
        var mode: String
        var sessions: Int
        var packetSize: Int
        var seconds: Double
        var targetPacketsPerSecond: Double
        var offeredPacketsPerSecond: Double
        var deliveredPacketsPerSecond: Double
        var sent: UInt64
        var received: UInt64
        var lossPercent: Double
        var reordered: UInt64
        var sendFailures: UInt64
        var srtpFailures: UInt64
        var unexpected: UInt64
        var consentChecks: UInt64
        var consentAnswers: UInt64
        /// Round trip for echo, one way for room pairs.
        var latencyKind: String
        var latencyMicroseconds: [String: Double]
    }

    struct Server: Encodable {
        var pid: Int32
        var residentBytesBefore: Int
        var residentBytesConnected: Int
        var residentBytesPerSession: Double?
        /// After the traffic: DTLS associations are released on a session's first SRTP.
        var residentBytesAfterTraffic: Int
        var residentBytesPerSessionAfterTraffic: Double?
        var cpuPercent: Double
    }

    var target: String
    var setup: Setup?
    var traffic: Traffic
    var server: Server?

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    func table() -> String {
        var rows: [(String, String)] = [("target", self.target)]
        if let setup {
            rows.append(
                ("sessions set up", "\(setup.connected) of \(setup.requested) in \(Self.format(setup.seconds)) s"))
            rows.append(("setup rate", "\(Self.format(setup.sessionsPerSecond)) sessions/s"))
            for (stage, count) in setup.failed.sorted(by: { $0.key < $1.key }) where count > 0 {
                rows.append(("failed at \(stage)", "\(count)"))
            }
        }
        let traffic = self.traffic
        rows.append(
            (
                "traffic",
                "\(traffic.mode), \(traffic.sessions) sessions, \(traffic.packetSize)-byte RTP, \(Self.format(traffic.seconds)) s"
            ))
        rows.append(
            (
                "offered",
                "\(Self.format(traffic.offeredPacketsPerSecond)) pps (target \(Self.format(traffic.targetPacketsPerSecond)))"
            ))
        rows.append(("delivered", "\(Self.format(traffic.deliveredPacketsPerSecond)) pps"))
        rows.append(
            (
                "loss",
                "\(Self.format(traffic.lossPercent, digits: 3)) % (\(traffic.sent - min(traffic.sent, traffic.received)) of \(traffic.sent))"
            ))
        rows.append(("reordered", "\(traffic.reordered)"))
        rows.append(
            (
                "send failures / srtp failures / unexpected",
                "\(traffic.sendFailures) / \(traffic.srtpFailures) / \(traffic.unexpected)"
            ))
        if traffic.consentChecks > 0 {
            rows.append(("consent checks answered", "\(traffic.consentAnswers) of \(traffic.consentChecks)"))
        }
        for key in ["p50", "p99", "p99.9", "max"] {
            if let value = traffic.latencyMicroseconds[key] {
                rows.append(("\(traffic.latencyKind) latency \(key)", "\(Self.format(value)) us"))
            }
        }
        if let server {
            rows.append(("server CPU", "\(Self.format(server.cpuPercent)) % of one core"))
            rows.append(
                (
                    "server memory",
                    "\(server.residentBytesBefore / 1024) KiB before, \(server.residentBytesConnected / 1024) KiB connected"
                ))
            if let perSession = server.residentBytesPerSession {
                rows.append(("server memory per session", "\(Self.format(perSession / 1024, digits: 2)) KiB"))
            }
            if let perSession = server.residentBytesPerSessionAfterTraffic {
                rows.append(
                    (
                        "after traffic",
                        "\(server.residentBytesAfterTraffic / 1024) KiB, \(Self.format(perSession / 1024, digits: 2)) KiB per session"
                    ))
            }
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(
            separator: "\n")
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
}
