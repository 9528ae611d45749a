/// One setting mediamux knows, as spelled in the YAML file (`section.key`).
public struct SettingKey: Sendable, Hashable {
    public enum Shape: Sendable { case scalar, list }

    public let name: String
    public let shape: Shape

    init(_ name: String, _ shape: Shape = .scalar) {
        self.name = name
        self.shape = shape
    }

    /// `udp.port_range_start` is `MEDIAMUX_UDP_PORT_RANGE_START`.
    public var environmentName: String {
        "MEDIAMUX_" + String(self.name.map { $0 == "." ? "_" : $0 }).uppercased()
    }

    /// `udp.port_range_start` is `--udp-port-range-start`.
    public var flag: String {
        "--" + String(self.name.map { $0 == "." || $0 == "_" ? "-" : $0 })
    }

    var section: String { String(self.name.prefix { $0 != "." }) }
}

/// Every key docs/configuration.md lists; anything else in a file or a flag is refused.
public enum SettingKeys {
    public static let all: [SettingKey] = [
        .init("udp.mode"), .init("udp.bind", .list), .init("udp.port"),
        .init("udp.port_range_start"), .init("udp.port_range_end"), .init("udp.announce", .list),
        .init("udp.receive_buffer_bytes"), .init("udp.vector_read_count"), .init("udp.io_threads"),
        .init("tcp.enabled"), .init("tcp.port"), .init("tcp.first_check_timeout"), .init("tcp.max_connections"),
        .init("tcp.max_connections_per_ip"), .init("tcp.max_pending_connections"),
        .init("limits.max_sessions_per_room"), .init("limits.max_sessions_per_user"),
        .init("limits.max_sessions_total"),
        .init("session.connect_timeout"), .init("session.consent_timeout"), .init("session.max_duration"),
        .init("session.default_handler"),
        .init("rate_limit.stun_failures_per_second"), .init("rate_limit.stun_failure_burst"),
        .init("rate_limit.session_failures_per_second"), .init("rate_limit.session_failure_burst"),
        .init("rate_limit.error_responses_per_session_per_second"), .init("rate_limit.error_responses_per_second"),
        .init("rate_limit.trusted_cidrs", .list),
        .init("rtp.bind"), .init("rtp.allowed_sinks", .list),
        .init("dtls.mtu"), .init("dtls.timeout"), .init("dtls.certificate"), .init("dtls.private_key"),
        .init("sdp.codecs", .list),
        .init("api.host"), .init("api.port"), .init("api.token"), .init("api.metrics_token"),
        .init("api.max_creates_per_second"), .init("api.demo"),
        .init("api.max_connections"), .init("api.max_connections_per_ip"), .init("api.trusted_cidrs", .list),
        .init("api.header_timeout"), .init("api.body_timeout"), .init("api.idle_timeout"),
        .init("shutdown.drain_timeout"),
        .init("cluster.store"), .init("cluster.node_id"), .init("cluster.advertise_api"),
        .init("cluster.lease_seconds"),
        .init("cluster.store_timeout"),
        .init("log.level"),
    ]

    public static let byName: [String: SettingKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    static let byEnvironmentName = Dictionary(uniqueKeysWithValues: all.map { ($0.environmentName, $0) })
    static let byFlag = Dictionary(uniqueKeysWithValues: all.map { ($0.flag, $0) })
    static let sections = Array(Set(all.map(\.section))).sorted()
}
