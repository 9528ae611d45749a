import MuxCluster
import MuxConfig
import Testing

/// Every key is known or refused, every value has its shape, and no source can unset another's value
/// (issue 10, findings 2 and 3).
@Suite struct StrictConfigurationTests {
    static func load(
        yaml: String? = nil, environment: [String: String] = [:], _ flags: String...
    ) throws -> LoadedSettings {
        try SettingsLoader.load(yaml: yaml, environment: environment, arguments: flags)
    }

    static func error(
        yaml: String? = nil, environment: [String: String] = [:], _ flags: String...
    ) -> ConfigurationError? {
        do {
            _ = try SettingsLoader.load(yaml: yaml, environment: environment, arguments: flags)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
            return nil
        }
    }

    // MARK: The file

    @Test(arguments: [
        ("udp: {prot: 7000}", "udp.prot", "did you mean udp.port?"),
        ("limits:\n  max_sesions_total: 5\n", "limits.max_sesions_total", "did you mean limits.max_sessions_total?"),
        ("limts:\n  max_sessions_total: 5\n", "limts", "unknown section; did you mean limits?"),
        ("frobnicate:\n  x: 1\n", "frobnicate", "unknown section"),
        ("limits:\n  max_sessions_total: [1]\n", "limits.max_sessions_total", "takes one value, not a list"),
        ("udp:\n  port: [8983]\n", "udp.port", "takes one value, not a list"),
        ("udp:\n  port: {a: 1}\n", "udp.port", "not a mapping"),
        ("udp:\n  port:\n", "udp.port", "has no value"),
        ("api:\n  token: ''\n", "api.token", "is empty"),
        ("udp: 7000\n", "udp", "must be a mapping"),
        ("- udp\n", "--config", "must be a mapping of sections"),
        ("udp:\n  port: 1\n  port: 2\n", "--config", "not valid YAML"),
        ("udp:\n  bind: [[1]]\n", "udp.bind", "a list of plain values"),
        ("session:\n  default_handler: rtp\n", "session.default_handler", "cannot be the default"),
        ("log:\n  level: verbose\n", "log.level", "is not one of"),
        ("tcp:\n  enabled: yes please\n", "tcp.enabled", "is not true or false"),
        ("tcp:\n  max_connections_per_ip: -1\n", "tcp.max_connections_per_ip", "0...10000000"),
        ("tcp:\n  prot: 443\n", "tcp.prot", "did you mean tcp.port?"),
        ("cluster:\n  store: mysql://x@y/z\n", "cluster.store", "must start with postgres://"),
        ("cluster:\n  store: postgres://host/db\n", "cluster.store", "names no user"),
        ("cluster:\n  store: postgres://u@h:99999/db\n", "cluster.store", "port that is not 1-65535"),
        ("cluster:\n  store: postgres://u@h/db?sslmode=verify-full\n", "cluster.store", "sslmode is disable"),
        ("cluster:\n  node_id: a\n", "cluster.node_id", "needs cluster.store"),
        ("cluster:\n  store: postgres://u@h/db\n  lease_seconds: 1\n", "cluster.lease_seconds", "2...3600"),
    ])
    func refusesWhatTheFileCannotMean(yaml: String, key: String, message: String) throws {
        let error = try #require(Self.error(yaml: yaml))
        #expect(error.key == key)
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func readsTheTCPSectionWithItsDefaults() throws {
        let defaults = try Self.load(yaml: "").settings.mux.tcp
        #expect(defaults.enabled && defaults.port == nil && defaults.maxConnectionsPerIP == 0)
        #expect(defaults.firstCheckTimeout == .seconds(5) && defaults.maxPendingConnections == 1_000)
        let set = try Self.load(
            yaml: "tcp:\n  enabled: false\n  port: 443\n  first_check_timeout: 2\n",
            environment: ["MEDIAMUX_TCP_MAX_CONNECTIONS_PER_IP": "8"], "--tcp-max-connections", "50"
        ).settings.mux.tcp
        #expect(!set.enabled && set.port == 443 && set.firstCheckTimeout == .seconds(2))
        #expect(set.maxConnectionsPerIP == 8 && set.maxConnections == 50)
    }

    @Test func readsTheClusterStoreWithThePasswordFromTheURLOrPGPASSWORD() throws {
        let fromURL = try #require(
            try Self.load(yaml: "cluster:\n  store: postgres://mux:s3cret@[::1]:6543/mediamux\n  node_id: node-a\n")
                .settings.cluster)
        #expect(
            fromURL.store
                == StoreAddress(host: "::1", port: 6543, user: "mux", password: "s3cret", database: "mediamux"))
        #expect(fromURL.nodeID == "node-a" && fromURL.leaseSeconds == 10)
        #expect("\(fromURL.store)" == "postgres://mux@[::1]:6543/mediamux", "no password in what is logged")
        let loaded = try Self.load(
            environment: ["MEDIAMUX_CLUSTER_STORE": "postgres://mux@db/mediamux?sslmode=require", "PGPASSWORD": "pw"])
        let cluster = try #require(loaded.settings.cluster)
        #expect(cluster.store.password == "pw" && cluster.store.port == 5432 && cluster.store.sslMode == "require")
        #expect(loaded.settings.mux.nodeID == cluster.nodeID, "tickets carry the cluster's node id")
        #expect(try Self.load(yaml: "").settings.cluster == nil)
    }

    @Test func readsListsAsSequencesOrCommaSeparatedText() throws {
        let loaded = try Self.load(yaml: "udp:\n  bind: ['127.0.0.1', '::1']\nsdp:\n  codecs: opus, VP8\n")
        #expect(loaded.settings.mux.udp.bindAddresses.map(\.description) == ["127.0.0.1", "::1"])
        #expect(loaded.settings.codecs == ["opus", "VP8"])
    }

    @Test func anEmptyFileOrSectionMeansTheDefaults() throws {
        #expect(try Self.load(yaml: "").settings.mux.udp.port == 7882)
        #expect(try Self.load(yaml: "udp:\napi:\n").settings.mux.udp.port == 7882)
    }

    @Test func refusesAFileLargerThanTheLimit() throws {
        let yaml = "# " + String(repeating: "x", count: YAMLSettings.maxBytes) + "\n"
        #expect(Self.error(yaml: yaml)?.message.contains("larger than") == true)
    }

    // MARK: Flags

    @Test func aFlagCannotUnsetTheFilesToken() throws {
        let yaml = "api:\n  token: file-secret\n"
        #expect(try Self.load(yaml: yaml).settings.api.token == "file-secret")
        #expect(Self.error(yaml: yaml, "--api-token", "a,b")?.message.contains("has a comma") == true)
        #expect(
            Self.error(yaml: yaml, "--api-token", "a", "--api-token", "b")?.message.contains("more than once") == true)
        #expect(Self.error(yaml: yaml, "--api-token")?.message == "needs a value")
        #expect(Self.error(yaml: yaml, "--api-token", "--udp-port", "7000")?.message == "needs a value")
        #expect(Self.error(yaml: yaml, "--api-token=")?.message.contains("is empty") == true)
        #expect(try Self.load(yaml: yaml, "--api-token", "flag-secret").settings.api.token == "flag-secret")
    }

    @Test func aRepeatedOrDoubledScalarFlagIsAnError() {
        #expect(Self.error("--udp-port", "8983", "--udp-port", "8982")?.key == "--udp-port")
        #expect(Self.error("--udp-port", "8983", "8982")?.message == "takes one value, not 2")
        #expect(Self.error("--udp-port=8983", "--udp-port=8982")?.message.contains("more than once") == true)
    }

    @Test func anUnknownFlagIsRefusedWithTheNearestSpelling() throws {
        let error = try #require(Self.error("--limits_max_sessions_per_room", "10"))
        #expect(error.key == "--limits_max_sessions_per_room")
        #expect(error.message == "unknown flag; did you mean --limits-max-sessions-per-room?")
        #expect(Self.error("7000")?.message.contains("is not a flag") == true)
        #expect(Self.error("-p", "7000")?.message.contains("is not a flag") == true)
        // Found by FuzzConfig: an empty argument gave an error with an empty key; so did an empty section.
        #expect(Self.error("")?.key == "\"\"")
        #expect(Self.error(yaml: "'': 1\n")?.key == "\"\"")
    }

    @Test func aListFlagTakesRepeatsSeveralValuesAndCommas() throws {
        let loaded = try Self.load("--udp-bind", "127.0.0.1", "--udp-bind", "::1,127.0.0.2", "127.0.0.3")
        #expect(
            loaded.settings.mux.udp.bindAddresses.map(\.description) == ["127.0.0.1", "::1", "127.0.0.2", "127.0.0.3"])
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws {
        let yaml = "udp:\n  port: 7000\n  mode: range\n"
        let loaded = try Self.load(
            yaml: yaml, environment: ["MEDIAMUX_UDP_PORT": "7001", "MEDIAMUX_UDP_MODE": "both"], "--udp-port", "7002")
        #expect(loaded.settings.mux.udp.port == 7002)
        #expect(loaded.settings.mux.udp.mode == .both)
    }

    // MARK: The environment

    @Test func anEmptyVariableIsAnErrorNotAnUnset() {
        let error = Self.error(yaml: "api:\n  token: file-secret\n", environment: ["MEDIAMUX_API_TOKEN": ""])
        #expect(error == ConfigurationError(key: "api.token", message: "is empty; remove it to use the default"))
    }

    @Test func wrongValuesFromTheEnvironmentNameTheKey() {
        #expect(Self.error(environment: ["MEDIAMUX_UDP_PORT": "[8983]"])?.key == "udp.port")
        #expect(Self.error(environment: ["MEDIAMUX_API_DEMO": "yes"])?.key == "api.demo")
    }

    @Test func unknownVariablesAreReportedNotRefused() throws {
        // Kubernetes sets MEDIAMUX_PORT and MEDIAMUX_SERVICE_HOST for a Service named mediamux.
        let loaded = try Self.load(environment: [
            "MEDIAMUX_PORT": "tcp://10.0.0.1:7880", "MEDIAMUX_UDP_PROT": "7000", "MEDIAMUX_UDP_PORT": "7001",
        ])
        #expect(loaded.settings.mux.udp.port == 7001)
        #expect(loaded.unknownEnvironment == ["MEDIAMUX_PORT", "MEDIAMUX_UDP_PROT (did you mean MEDIAMUX_UDP_PORT?)"])
    }

    @Test func everyKeyHasOneSpellingPerSource() {
        #expect(Set(SettingKeys.all.map(\.environmentName)).count == SettingKeys.all.count)
        #expect(Set(SettingKeys.all.map(\.flag)).count == SettingKeys.all.count)
    }
}
