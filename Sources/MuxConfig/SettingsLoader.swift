import Foundation
import MuxAPI
import MuxCluster
import MuxCore
import MuxICE
import MuxIO
import MuxSessions
import MuxWire
import NIOCore

/// What mediamux starts with, and what the operator should hear about.
public struct LoadedSettings: Sendable {
    public var settings: AppSettings
    public var logLevel: String
    /// `MEDIAMUX_*` environment variables that name no setting (see `EnvironmentSettings`).
    public var unknownEnvironment: [String]
}

/// Reads settings from, in order of precedence: command-line flags (`--udp-port 7882`), environment
/// variables (`MEDIAMUX_UDP_PORT=7882`), and the YAML file. Each source is read strictly (`YAMLSettings`,
/// `FlagArguments`), every value as text, and checked here, so an error names the key and says what is
/// allowed (docs/configuration.md lists them all).
///
/// swift-configuration's providers look up the keys they are asked for, so they cannot refuse a key nobody
/// asks for, and its flag parser splits commas and drops stray words; hence sources of our own on Yams.
public struct SettingsLoader {
    let values: SettingValues
    /// `PGPASSWORD`, for a store URL without a password.
    var storePassword: String?

    public static func load(
        configFile: String?, environment: [String: String], arguments: [String]
    ) throws -> LoadedSettings {
        var yaml: String?
        if let configFile {
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: configFile)
                if let size = attributes[.size] as? Int, size > YAMLSettings.maxBytes {
                    throw ConfigurationError(
                        key: "--config", message: "\(configFile) is larger than \(YAMLSettings.maxBytes) bytes")
                }
                yaml = try String(contentsOfFile: configFile, encoding: .utf8)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(
                    key: "--config", message: "cannot read \(configFile): \(error.localizedDescription)")
            }
        }
        return try Self.load(yaml: yaml, environment: environment, arguments: arguments)
    }

    /// The same from text: what `--check-config`, the tests and the fuzz target use.
    public static func load(yaml: String?, environment: [String: String], arguments: [String]) throws -> LoadedSettings
    {
        var values = try yaml.map(YAMLSettings.parse) ?? [:]
        let (fromEnvironment, unknown) = EnvironmentSettings.read(environment)
        values.merge(fromEnvironment) { _, later in later }
        values.merge(try FlagArguments.parse(arguments)) { _, later in later }
        let loader = SettingsLoader(values: values, storePassword: environment["PGPASSWORD"])
        let settings = try loader.settings()
        let level = try loader.text("log.level") ?? "info"
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(level) else {
            throw ConfigurationError(
                key: "log.level", message: "\"\(level)\" is not one of \(levels.joined(separator: ", "))")
        }
        return LoadedSettings(settings: settings, logLevel: level, unknownEnvironment: unknown)
    }

    func settings() throws -> AppSettings {
        var settings = AppSettings()
        try self.readUDP(&settings.mux.udp)
        try self.readTCP(&settings.mux.tcp)
        try self.readSessions(&settings.mux)
        try self.readAPI(&settings.api)
        try self.readDTLS(&settings)
        try self.readCluster(&settings)
        if settings.api.token == nil && !settings.api.isLoopback {
            throw ConfigurationError(
                key: "api.token",
                message:
                    "the API listens on \(settings.api.host), which is not loopback; set api.token or MEDIAMUX_API_TOKEN"
            )
        }
        return settings
    }

    private func readUDP(_ udp: inout UDPConfiguration) throws {
        if let mode = try self.text("udp.mode") {
            guard let parsed = PortMode(rawValue: mode) else {
                throw ConfigurationError(key: "udp.mode", message: "\"\(mode)\" is not one of single, range, both")
            }
            udp.mode = parsed
        }
        if let bind = self.list("udp.bind") {
            udp.bindAddresses = try bind.map { text in
                guard let ip = IPAddress(text) else {
                    throw ConfigurationError(key: "udp.bind", message: "\"\(text)\" is not an IPv4 or IPv6 address")
                }
                return ip
            }
            guard !udp.bindAddresses.isEmpty else {
                throw ConfigurationError(key: "udp.bind", message: "needs an address")
            }
        }
        udp.port = try self.integer("udp.port", in: 0...65535) ?? udp.port
        let start = try self.integer("udp.port_range_start", in: 1...65535) ?? udp.portRange.lowerBound
        let end = try self.integer("udp.port_range_end", in: 1...65535) ?? udp.portRange.upperBound
        guard start <= end else {
            throw ConfigurationError(
                key: "udp.port_range_start", message: "\(start) is above udp.port_range_end \(end)")
        }
        udp.portRange = start...end
        if udp.mode == .both && udp.portRange.contains(udp.port) {
            throw ConfigurationError(
                key: "udp.port",
                message: "\(udp.port) lies inside the port range \(start)-\(end), which mode both also uses")
        }
        if let announce = self.list("udp.announce") {
            udp.announced = try announce.map(Self.announcedAddress)
        }
        udp.receiveBufferBytes =
            try self.integer("udp.receive_buffer_bytes", in: 65_536...(1 << 30)) ?? udp.receiveBufferBytes
        udp.vectorReadCount = try self.integer("udp.vector_read_count", in: 1...1024) ?? udp.vectorReadCount
        udp.ioThreads = try self.integer("udp.io_threads", in: 1...64) ?? udp.ioThreads
    }

    private func readTCP(_ tcp: inout TCPConfiguration) throws {
        tcp.enabled = try self.boolean("tcp.enabled") ?? tcp.enabled
        tcp.port = try self.integer("tcp.port", in: 0...65535) ?? tcp.port
        if let seconds = try self.integer("tcp.first_check_timeout", in: 1...300) {
            tcp.firstCheckTimeout = .seconds(seconds)
        }
        tcp.maxConnections = try self.integer("tcp.max_connections", in: 1...10_000_000) ?? tcp.maxConnections
        tcp.maxConnectionsPerIP =
            try self.integer("tcp.max_connections_per_ip", in: 0...10_000_000) ?? tcp.maxConnectionsPerIP
        tcp.maxPendingConnections =
            try self.integer("tcp.max_pending_connections", in: 1...10_000_000) ?? tcp.maxPendingConnections
    }

    private func readCluster(_ settings: inout AppSettings) throws {
        guard let url = try self.text("cluster.store") else {
            for key in [
                "cluster.node_id", "cluster.advertise_api", "cluster.lease_seconds", "cluster.store_timeout",
                "shutdown.drain_timeout",
            ]
            where self.values[key] != nil {
                throw ConfigurationError(key: key, message: "needs cluster.store; without it mediamux is one node")
            }
            return
        }
        let store: StoreAddress
        switch StoreAddress.parse(url, environmentPassword: self.storePassword) {
        case .success(let parsed): store = parsed
        case .failure(let error): throw ConfigurationError(key: "cluster.store", message: "\(error)")
        }
        var cluster = ClusterSettings(store: store, nodeID: try self.text("cluster.node_id") ?? settings.mux.nodeID)
        cluster.advertiseAPI = try self.text("cluster.advertise_api")
        if let advertised = cluster.advertiseAPI, !(advertised.hasPrefix("http://") || advertised.hasPrefix("https://"))
        {
            throw ConfigurationError(key: "cluster.advertise_api", message: "\"\(advertised)\" is not an http:// URL")
        }
        cluster.leaseSeconds = try self.integer("cluster.lease_seconds", in: 2...3600) ?? cluster.leaseSeconds
        if let seconds = try self.integer("cluster.store_timeout", in: 1...60) {
            cluster.storeTimeout = .seconds(seconds)
        }
        if let seconds = try self.integer("shutdown.drain_timeout", in: 0...86_400) {
            settings.drainTimeout = .seconds(seconds)
        }
        settings.mux.nodeID = cluster.nodeID
        settings.cluster = cluster
    }

    private func readSessions(_ mux: inout MuxSettings) throws {
        mux.limits.maxSessionsPerRoom =
            try self.integer("limits.max_sessions_per_room", in: 1...1_000_000) ?? mux.limits.maxSessionsPerRoom
        mux.limits.maxSessionsPerUser =
            try self.integer("limits.max_sessions_per_user", in: 1...1_000_000) ?? mux.limits.maxSessionsPerUser
        mux.limits.maxSessionsTotal =
            try self.integer("limits.max_sessions_total", in: 1...10_000_000) ?? mux.limits.maxSessionsTotal
        if let seconds = try self.integer("session.connect_timeout", in: 1...3600) {
            mux.timeouts.connect = .seconds(seconds)
        }
        if let seconds = try self.integer("session.consent_timeout", in: 1...3600) {
            mux.timeouts.consent = .seconds(seconds)
        }
        if let seconds = try self.integer("session.max_duration", in: 1...(30 * 86_400)) {
            mux.timeouts.maxDuration = .seconds(seconds)
        }
        if let handler = try self.text("session.default_handler") {
            guard MediamuxApp.defaultHandlerNames.contains(handler) else {
                let known = MediamuxApp.defaultHandlerNames.joined(separator: ", ")
                if MediamuxApp.handlerNames.contains(handler) {
                    throw ConfigurationError(
                        key: "session.default_handler",
                        message:
                            "\"\(handler)\" needs parameters of each request, so it cannot be the default; use one of \(known)"
                    )
                }
                throw ConfigurationError(
                    key: "session.default_handler", message: "\"\(handler)\" is not one of \(known)")
            }
            mux.defaultHandler = handler
        }
        if let rate = try self.integer("rate_limit.stun_failures_per_second", in: 1...1_000_000) {
            mux.rateLimit.ratePerSecond = Double(rate)
        }
        if let burst = try self.integer("rate_limit.stun_failure_burst", in: 1...1_000_000) {
            mux.rateLimit.burst = Double(burst)
        }
        if let rate = try self.integer("rate_limit.session_failures_per_second", in: 1...1_000_000) {
            mux.checkBudgets.sessionFailuresPerSecond = Double(rate)
        }
        if let burst = try self.integer("rate_limit.session_failure_burst", in: 1...1_000_000) {
            mux.checkBudgets.sessionFailureBurst = Double(burst)
        }
        if let rate = try self.integer("rate_limit.error_responses_per_session_per_second", in: 1...1_000_000) {
            mux.checkBudgets.errorResponsesPerSessionPerSecond = Double(rate)
        }
        if let rate = try self.integer("rate_limit.error_responses_per_second", in: 1...10_000_000) {
            mux.checkBudgets.errorResponsesPerSecond = Double(rate)
        }
        if let cidrs = self.list("rtp.allowed_sinks") {
            mux.allowedRTPSinks = try Self.networks(cidrs, key: "rtp.allowed_sinks")
        }
        if let bind = try self.text("rtp.bind") {
            guard let ip = IPAddress(bind), !ip.isUnspecified else {
                throw ConfigurationError(key: "rtp.bind", message: "\"\(bind)\" is not a concrete IP address")
            }
            mux.plainPortAddress = ip
        }
        if let cidrs = self.list("rate_limit.trusted_cidrs") {
            mux.rateLimit.trusted = try Self.networks(cidrs, key: "rate_limit.trusted_cidrs")
        }
    }

    private func readDTLS(_ settings: inout AppSettings) throws {
        settings.media.mtu = try self.integer("dtls.mtu", in: 576...9000) ?? settings.media.mtu
        if let seconds = try self.integer("dtls.timeout", in: 1...300) {
            settings.media.handshakeTimeout = .seconds(seconds)
        }
        settings.codecs = self.list("sdp.codecs").flatMap { $0.isEmpty ? nil : $0 }
        settings.certificatePath = try self.text("dtls.certificate")
        settings.privateKeyPath = try self.text("dtls.private_key")
        if (settings.certificatePath == nil) != (settings.privateKeyPath == nil) {
            throw ConfigurationError(
                key: "dtls.certificate", message: "dtls.certificate and dtls.private_key come together")
        }
    }

    private func readAPI(_ api: inout APISettings) throws {
        if let host = try self.text("api.host") {
            guard IPAddress(host) != nil || host == "localhost" else {
                throw ConfigurationError(key: "api.host", message: "\"\(host)\" is not an IP address or localhost")
            }
            api.host = host
        }
        api.port = try self.integer("api.port", in: 0...65535) ?? api.port
        api.token = try self.text("api.token") ?? api.token
        api.metricsToken = try self.text("api.metrics_token") ?? api.metricsToken
        if let rate = try self.integer("api.max_creates_per_second", in: 1...1_000_000) {
            api.maxCreatesPerSecond = Double(rate)
        }
        api.limits.maxConnections =
            try self.integer("api.max_connections", in: 16...1_000_000) ?? api.limits.maxConnections
        if let perIP = try self.integer("api.max_connections_per_ip", in: 0...1_000_000) {
            api.limits.maxConnectionsPerIP = perIP == 0 ? nil : perIP
        }
        if let cidrs = self.list("api.trusted_cidrs") {
            api.limits.trusted = try Self.networks(cidrs, key: "api.trusted_cidrs")
        }
        if let seconds = try self.integer("api.header_timeout", in: 1...3600) {
            api.limits.headerTimeout = .seconds(Int64(seconds))
        }
        if let seconds = try self.integer("api.body_timeout", in: 1...3600) {
            api.limits.bodyTimeout = .seconds(Int64(seconds))
        }
        if let seconds = try self.integer("api.idle_timeout", in: 1...86_400) {
            api.limits.idleTimeout = .seconds(Int64(seconds))
        }
        api.demo = try self.boolean("api.demo") ?? api.demo
    }

    // MARK: Reading text

    /// A scalar setting; an empty one is refused rather than read as unset, so that
    /// `MEDIAMUX_API_TOKEN=` cannot turn authentication off.
    func text(_ key: String) throws -> String? {
        precondition(SettingKeys.byName[key]?.shape == .scalar, "\(key) is not a scalar key of SettingKeys")
        guard case .text(let text) = self.values[key] else { return nil }
        guard !text.trimmingSpaces().isEmpty else {
            throw ConfigurationError(key: key, message: "is empty; remove it to use the default")
        }
        return text
    }

    private func list(_ key: String) -> [String]? {
        precondition(SettingKeys.byName[key]?.shape == .list, "\(key) is not a list key of SettingKeys")
        guard case .list(let items) = self.values[key] else { return nil }
        return items
    }

    private func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try self.text(key) else { return nil }
        guard let value = Int(text.trimmingSpaces()), range.contains(value) else {
            throw ConfigurationError(
                key: key, message: "\"\(text)\" is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private func boolean(_ key: String) throws -> Bool? {
        guard let text = try self.text(key) else { return nil }
        guard let value = Bool(text.trimmingSpaces()) else {
            throw ConfigurationError(key: key, message: "\"\(text)\" is not true or false")
        }
        return value
    }

    private static func networks(_ cidrs: [String], key: String) throws -> [IPNetwork] {
        try cidrs.map { text in
            guard let network = IPNetwork(text) else {
                throw ConfigurationError(key: key, message: "\"\(text)\" is not a CIDR such as 10.0.0.0/8")
            }
            return network
        }
    }

    /// `local=public` or `local=public:port`, e.g. `10.0.0.5=203.0.113.7:443` or `[fd00::5]=[2001:db8::7]`.
    static func announcedAddress(_ text: String) throws -> AnnouncedAddress {
        let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
        guard parts.count == 2, let local = IPAddress(parts[0]) else {
            throw ConfigurationError(key: "udp.announce", message: "\"\(text)\" is not local=public[:port]")
        }
        guard !local.isUnspecified else {
            throw ConfigurationError(
                key: "udp.announce", message: "\"\(text)\": name a concrete local address, not a wildcard")
        }
        let announced: AnnouncedAddress
        if let address = TransportAddress(parts[1]) {
            announced = AnnouncedAddress(local: local, publicIP: address.ip, publicPort: address.port)
        } else if let publicIP = IPAddress(parts[1]) {
            announced = AnnouncedAddress(local: local, publicIP: publicIP)
        } else {
            throw ConfigurationError(key: "udp.announce", message: "\"\(parts[1])\" is not an address or address:port")
        }
        guard announced.publicIP.isIPv4 == local.isIPv4 else {
            throw ConfigurationError(
                key: "udp.announce", message: "\"\(text)\": local and public addresses must be the same family")
        }
        return announced
    }
}
