import MuxWire

/// The control API's listener and tokens; defaults match docs/configuration.md.
public struct APISettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 7880
    /// Required unless `host` is a loopback address.
    public var token: String?
    /// When set, /metrics requires it; otherwise /metrics is open.
    public var metricsToken: String?
    /// Session creations per second across all callers; beyond it the API answers 429.
    public var maxCreatesPerSecond: Double = 500
    /// Serve `/demo`; nil serves it only when the API listens on loopback.
    public var demo: Bool?
    /// Connection caps and request deadlines.
    public var limits = HTTPLimits()

    public init() {}

    public var servesDemo: Bool { self.demo ?? self.isLoopback }

    public var isLoopback: Bool {
        self.host == "localhost" || (IPAddress(self.host)?.isLoopback ?? false)
    }
}
